//! Connections for the database kinds: DNS and TCP with their failures classified
//! (`dns`, `connect`), and a TLS stream over them (`tls`).

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use shipcheck_report::FailureClass;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use shipcheck_plan::kind::ProbeError;

/// Resolve `host` and connect to the first address that accepts (callers bound the time).
pub(crate) async fn tcp(host: &str, port: u16) -> Result<TcpStream, ProbeError> {
    let addrs: Vec<SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| ProbeError::new(FailureClass::Dns, format!("resolving {host}: {e}")))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(ProbeError::new(
            FailureClass::Dns,
            format!("{host} has no address"),
        ));
    }
    let mut last = None;
    for addr in addrs.iter().take(8) {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(format!("connecting to {addr}: {e}")),
        }
    }
    Err(ProbeError::new(
        FailureClass::Connect,
        last.unwrap_or_else(|| format!("connecting to {host}:{port}")),
    ))
}

/// A TLS handshake over `tcp` for `host`.
pub(crate) async fn tls(
    tcp: TcpStream,
    host: &str,
    config: rustls::ClientConfig,
) -> Result<TlsStream<TcpStream>, ProbeError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| ProbeError::new(FailureClass::Tls, format!("server name {host}: {e}")))?;
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| ProbeError::new(FailureClass::Tls, format!("TLS handshake with {host}: {e}")))
}
