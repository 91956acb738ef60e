//! DNS, TCP and TLS set-up of one connection, each phase timed.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use url::Host;

use crate::certinfo::Rejected;
use crate::error::{HttpError, Phase, TlsProblem};
use crate::progress::Progress;
use crate::tls::{self, TlsSetup};
use crate::types::TlsInfo;

/// At most this many resolved addresses are tried.
const MAX_ADDRS: usize = 8;

/// Where to connect, derived from a URL.
pub(crate) struct Target {
    pub(crate) host: Host<String>,
    pub(crate) port: u16,
    pub(crate) https: bool,
    /// `host:port` for messages (IPv6 in brackets).
    pub(crate) label: String,
}

impl Target {
    pub(crate) fn from_url(url: &url::Url) -> Result<Self, HttpError> {
        let invalid = |reason: &str| HttpError::InvalidRequest {
            url: url.to_string(),
            reason: reason.to_owned(),
        };
        let https = match url.scheme() {
            "http" => false,
            "https" => true,
            _ => return Err(invalid("only http and https URLs are supported")),
        };
        let host = url
            .host()
            .ok_or_else(|| invalid("the URL has no host"))?
            .to_owned();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| invalid("the URL has no port"))?;
        let label = format!("{host}:{port}");
        Ok(Target {
            host,
            port,
            https,
            label,
        })
    }
}

/// A TCP connection plus what it took to make it.
pub(crate) struct Tcp {
    pub(crate) stream: TcpStream,
    pub(crate) remote: SocketAddr,
    pub(crate) dns_ms: Option<f64>,
    pub(crate) connect_ms: f64,
}

/// Resolve (unless an IP literal) and connect, trying each address in turn.
pub(crate) async fn tcp(target: &Target, progress: &Progress) -> Result<Tcp, HttpError> {
    let (addrs, dns_ms) = match &target.host {
        Host::Ipv4(ip) => (vec![SocketAddr::new(IpAddr::V4(*ip), target.port)], None),
        Host::Ipv6(ip) => (vec![SocketAddr::new(IpAddr::V6(*ip), target.port)], None),
        Host::Domain(name) => {
            progress.set(Phase::Dns, name);
            let start = Instant::now();
            let found = tokio::net::lookup_host((name.as_str(), target.port))
                .await
                .map_err(|e| HttpError::Dns {
                    host: name.clone(),
                    reason: io_reason(&e),
                })?;
            let addrs: Vec<SocketAddr> = found.take(MAX_ADDRS).collect();
            if addrs.is_empty() {
                return Err(HttpError::Dns {
                    host: name.clone(),
                    reason: "no addresses found".into(),
                });
            }
            (addrs, Some(ms(start)))
        }
    };

    progress.set(Phase::Connect, &target.label);
    let start = Instant::now();
    let mut failures = Vec::new();
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Nagle only delays small requests; a failure here changes nothing that matters.
                let _ = stream.set_nodelay(true);
                return Ok(Tcp {
                    stream,
                    remote: *addr,
                    dns_ms,
                    connect_ms: ms(start),
                });
            }
            Err(e) => failures.push((*addr, io_reason(&e))),
        }
    }
    let reason = match failures.as_slice() {
        [(_, reason)] => reason.clone(),
        many => many
            .iter()
            .map(|(addr, reason)| format!("{addr}: {reason}"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    Err(HttpError::Connect {
        addr: target.label.clone(),
        reason,
    })
}

/// TLS handshake over `tcp` with the setup's shared HTTP connector.
pub(crate) async fn tls(
    tcp: TcpStream,
    target: &Target,
    setup: &TlsSetup,
    progress: &Progress,
) -> Result<(TlsStream<TcpStream>, TlsInfo, f64), HttpError> {
    tls_with(
        tcp,
        target,
        &target.host,
        setup,
        &setup.connector(),
        progress,
    )
    .await
}

/// TLS handshake presenting `name` (SNI, and the name the certificate must match).
pub(crate) async fn tls_with(
    tcp: TcpStream,
    target: &Target,
    name: &Host<String>,
    setup: &TlsSetup,
    connector: &tokio_rustls::TlsConnector,
    progress: &Progress,
) -> Result<(TlsStream<TcpStream>, TlsInfo, f64), HttpError> {
    progress.set(Phase::Tls, &target.label);
    let host_text = match name {
        Host::Domain(name) => name.clone(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    };
    let server_name = match name {
        Host::Domain(name) => {
            ServerName::try_from(name.clone()).map_err(|_| HttpError::InvalidRequest {
                url: target.label.clone(),
                reason: format!("{name} is not a valid tls server name"),
            })?
        }
        Host::Ipv4(ip) => ServerName::IpAddress(IpAddr::V4(*ip).into()),
        Host::Ipv6(ip) => ServerName::IpAddress(IpAddr::V6(*ip).into()),
    };
    let start = Instant::now();
    let stream = match connector.connect(server_name.clone(), tcp).await {
        Ok(stream) => stream,
        Err(e) => {
            let rejected = match e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                Some(rustls_error) => tls::rejection(rustls_error),
                None => Rejected::new(handshake_io_problem(&e), None),
            };
            let rejected = with_host(rejected, &host_text);
            return Err(HttpError::Tls {
                addr: target.label.clone(),
                detail: rejected.to_string(),
                problem: rejected.problem,
            });
        }
    };
    let tls_ms = ms(start);
    let conn = stream.get_ref().1;
    let certs: Vec<rustls_pki_types::CertificateDer<'static>> = conn
        .peer_certificates()
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    let rejected = setup
        .problem_after_handshake(&certs, &server_name)
        .map(|r| with_host(r, &host_text));
    let info = TlsInfo {
        protocol: match conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
            Some(other) => other.as_str().unwrap_or("unknown").to_owned(),
            None => "unknown".to_owned(),
        },
        cipher_suite: conn
            .negotiated_cipher_suite()
            .and_then(|suite| suite.suite().as_str())
            .unwrap_or_default()
            .to_owned(),
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        peer_certificates: certs.iter().map(|c| c.as_ref().to_vec()).collect(),
        verify_error: rejected.as_ref().map(ToString::to_string),
        verify_problem: rejected.map(|r| r.problem),
    };
    Ok((stream, info, tls_ms))
}

/// Name the host the client asked for in a wrong-host problem.
fn with_host(mut rejected: Rejected, host: &str) -> Rejected {
    if let TlsProblem::NotValidForName { .. } = rejected.problem {
        rejected.problem = TlsProblem::NotValidForName {
            host: host.to_owned(),
        };
    }
    rejected
}

/// An I/O error during the handshake: the connection going away, or another failure.
fn handshake_io_problem(e: &std::io::Error) -> TlsProblem {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::UnexpectedEof => TlsProblem::ConnectionLost(
            "the server closed the connection during the handshake".into(),
        ),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            TlsProblem::ConnectionLost(io_reason(e))
        }
        _ => TlsProblem::Handshake(io_reason(e)),
    }
}

/// Milliseconds since `start`.
pub(crate) fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// A lowercase reason for an I/O error, without the `(os error N)` suffix.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused".into(),
        ErrorKind::ConnectionReset => "connection reset by peer".into(),
        ErrorKind::ConnectionAborted => "connection aborted".into(),
        ErrorKind::HostUnreachable => "host unreachable".into(),
        ErrorKind::NetworkUnreachable => "network unreachable".into(),
        ErrorKind::AddrNotAvailable => "address not available".into(),
        ErrorKind::TimedOut => "timed out".into(),
        ErrorKind::UnexpectedEof => "connection closed by peer".into(),
        _ => {
            let text = e.to_string();
            let text = match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            };
            text.to_lowercase()
        }
    }
}
