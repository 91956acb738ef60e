//! [`open`]: a timed TCP (and optionally TLS) connection for probes that speak their own
//! protocol over it (`tls` inspection, WebSocket).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use url::Host;

use crate::connect::{self, Target, ms};
use crate::error::{HttpError, Phase};
use crate::progress::Progress;
use crate::tls::{TlsSettings, TlsSetup};
use crate::types::{Timings, TlsInfo};

/// How [`open`] connects.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Bounds DNS, connect and the TLS handshake together.
    pub timeout: Duration,
    /// Do a TLS handshake after connecting.
    pub tls: bool,
    /// Name sent as SNI and checked against the certificate (default: the host).
    pub server_name: Option<String>,
    /// ALPN protocols offered (none when empty).
    pub alpn: Vec<String>,
    /// Complete the handshake even when the certificate does not verify; the problem is
    /// recorded in [`TlsInfo::verify_problem`].
    pub insecure: bool,
    /// Additional trusted root certificates (PEM).
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            timeout: Duration::from_secs(10),
            tls: false,
            server_name: None,
            alpn: Vec::new(),
            insecure: false,
            extra_ca_pem: None,
        }
    }
}

/// A plain or TLS stream.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
}

/// An open connection and what it took to open it.
#[derive(Debug)]
pub struct Connection {
    /// The stream, ready for the caller's protocol.
    pub stream: Stream,
    /// The address connected to.
    pub remote: SocketAddr,
    /// `dns`, `connect` and `tls` phases (`first_byte` unset; `total` = time to open).
    pub timings: Timings,
    /// TLS facts when [`OpenOptions::tls`] was set.
    pub tls: Option<TlsInfo>,
}

/// Resolve `host`, connect to `port`, and (if asked) complete a TLS handshake, all within
/// `opts.timeout`. Errors name the phase and the host, as [`send`](crate::send)'s do.
pub async fn open(host: &str, port: u16, opts: &OpenOptions) -> Result<Connection, HttpError> {
    let host_parsed = parse_host(host)?;
    let label = format!("{host_parsed}:{port}");
    let target = Target {
        host: host_parsed,
        port,
        https: opts.tls,
        label,
    };
    let progress = Progress::new(Phase::Dns, host.to_owned());
    match tokio::time::timeout(opts.timeout, open_inner(&target, opts, &progress)).await {
        Ok(result) => result,
        Err(_elapsed) => {
            let (phase, target) = progress.get();
            Err(HttpError::Timeout {
                phase,
                after: opts.timeout,
                target,
            })
        }
    }
}

fn parse_host(host: &str) -> Result<Host<String>, HttpError> {
    let trimmed = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = trimmed.parse::<std::net::IpAddr>() {
        return Ok(match ip {
            std::net::IpAddr::V4(v4) => Host::Ipv4(v4),
            std::net::IpAddr::V6(v6) => Host::Ipv6(v6),
        });
    }
    Host::parse(host).map_err(|e| HttpError::InvalidRequest {
        url: host.to_owned(),
        reason: format!("invalid host: {e}"),
    })
}

async fn open_inner(
    target: &Target,
    opts: &OpenOptions,
    progress: &Progress,
) -> Result<Connection, HttpError> {
    let start = Instant::now();
    let tcp = connect::tcp(target, progress).await?;
    let mut timings = Timings {
        dns_ms: tcp.dns_ms,
        connect_ms: Some(tcp.connect_ms),
        ..Timings::default()
    };
    let (stream, tls) = if opts.tls {
        let setup = TlsSetup::new(&TlsSettings {
            insecure: opts.insecure,
            extra_ca_pem: opts.extra_ca_pem.as_deref(),
            identity: None,
        })?;
        let name = match &opts.server_name {
            Some(n) => parse_host(n)?,
            None => target.host.clone(),
        };
        let alpn = opts.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        let connector = setup.connector_with_alpn(alpn)?;
        let (stream, info, tls_ms) =
            connect::tls_with(tcp.stream, target, &name, &setup, &connector, progress).await?;
        timings.tls_ms = Some(tls_ms);
        (Stream::Tls(Box::new(stream)), Some(info))
    } else {
        (Stream::Plain(tcp.stream), None)
    };
    timings.total_ms = ms(start);
    Ok(Connection {
        stream,
        remote: tcp.remote,
        timings,
        tls,
    })
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_parse_as_ip_or_name() {
        assert!(matches!(parse_host("127.0.0.1"), Ok(Host::Ipv4(_))));
        assert!(matches!(parse_host("[::1]"), Ok(Host::Ipv6(_))));
        assert!(matches!(parse_host("localhost"), Ok(Host::Domain(_))));
        assert!(parse_host("bad host").is_err());
    }
}
