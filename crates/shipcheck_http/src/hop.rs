//! One request/response over a fresh connection: hyper's connection API, timed.

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;

use crate::connect::{self, Target, ms};
use crate::error::{HttpError, Phase};
use crate::progress::Progress;
use crate::tls::TlsSetup;
use crate::types::{Hop, RequestRecord, ResponseRecord, Timings};

/// The `User-Agent` sent unless the caller gives one.
const USER_AGENT: &str = concat!("shipcheck/", env!("CARGO_PKG_VERSION"));

/// What to send on one hop (redirects rewrite it between hops).
#[derive(Debug, Clone)]
pub(crate) struct HopRequest {
    pub(crate) method: http::Method,
    pub(crate) url: url::Url,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

/// Connect, send, and read the response (body capped at `max_body`).
pub(crate) async fn run(
    req: &HopRequest,
    tls: Option<&TlsSetup>,
    max_body: usize,
    progress: &Progress,
) -> Result<Hop, HttpError> {
    let start = Instant::now();
    let target = Target::from_url(&req.url)?;
    let tcp = connect::tcp(&target, progress).await?;
    let mut timings = Timings {
        dns_ms: tcp.dns_ms,
        connect_ms: Some(tcp.connect_ms),
        ..Timings::default()
    };
    let remote = tcp.remote;
    let (record, response, tls_info) = if target.https {
        let setup = tls.ok_or_else(|| HttpError::TlsConfig {
            reason: "no TLS configuration for an https URL".into(),
        })?;
        let (stream, info, tls_ms) = connect::tls(tcp.stream, &target, setup, progress).await?;
        timings.tls_ms = Some(tls_ms);
        let h2 = info.alpn.as_deref() == Some("h2");
        let (record, response) = exchange(stream, h2, req, &target, max_body, progress).await?;
        (record, response, Some(info))
    } else {
        let (record, response) =
            exchange(tcp.stream, false, req, &target, max_body, progress).await?;
        (record, response, None)
    };
    timings.first_byte_ms = Some(response.first_byte_ms);
    timings.total_ms = ms(start);
    Ok(Hop {
        request: record,
        response: response.record,
        timings,
        remote_addr: Some(remote),
        tls: tls_info,
    })
}

struct Received {
    record: ResponseRecord,
    first_byte_ms: f64,
}

/// Aborts the spawned connection driver when the hop ends (or is cancelled by the timeout).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn exchange<IO>(
    io: IO,
    h2: bool,
    req: &HopRequest,
    target: &Target,
    max_body: usize,
    progress: &Progress,
) -> Result<(RequestRecord, Received), HttpError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (request, record) = build(req, h2)?;
    let protocol = |e: hyper::Error| HttpError::Protocol {
        addr: target.label.clone(),
        reason: hyper_reason(&e),
    };
    progress.set(Phase::FirstByte, &target.label);
    let start = Instant::now();
    let (response, _driver) = if h2 {
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                .await
                .map_err(protocol)?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            // Errors surface through `send_request`; nothing else to do with them here.
            let _ = conn.await;
        }));
        sender.ready().await.map_err(protocol)?;
        (
            sender.send_request(request).await.map_err(protocol)?,
            driver,
        )
    } else {
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(protocol)?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        sender.ready().await.map_err(protocol)?;
        (
            sender.send_request(request).await.map_err(protocol)?,
            driver,
        )
    };
    let first_byte_ms = ms(start);

    progress.set(Phase::Body, &target.label);
    let status = response.status().as_u16();
    let version = version_text(response.version());
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let (body, body_truncated, body_bytes_read) = read_body(response.into_body(), max_body)
        .await
        .map_err(protocol)?;
    Ok((
        record,
        Received {
            record: ResponseRecord {
                status,
                version,
                headers,
                body,
                body_truncated,
                body_bytes_read,
            },
            first_byte_ms,
        },
    ))
}

/// Read frames until the end or until more than `max` bytes arrived (then stop reading).
async fn read_body(mut body: Incoming, max: usize) -> Result<(Bytes, bool, u64), hyper::Error> {
    let mut buf = BytesMut::new();
    let mut read: u64 = 0;
    // Each iteration consumes one frame; the stream is finite or cut by the caller's timeout.
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers
        };
        read += data.len() as u64;
        let room = max - buf.len();
        if data.len() > room {
            buf.extend_from_slice(&data[..room]);
            return Ok((buf.freeze(), true, read));
        }
        buf.extend_from_slice(&data);
    }
    Ok((buf.freeze(), false, read))
}

/// The hyper request plus the record of what is sent.
fn build(
    req: &HopRequest,
    h2: bool,
) -> Result<(http::Request<Full<Bytes>>, RequestRecord), HttpError> {
    let invalid = |reason: String| HttpError::InvalidRequest {
        url: req.url.to_string(),
        reason,
    };
    let host = req.url.host_str().unwrap_or_default();
    let authority = match req.url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let path_query = &req.url[url::Position::BeforePath..url::Position::AfterQuery];
    let uri_text = if h2 {
        format!("{}://{authority}{path_query}", req.url.scheme())
    } else {
        path_query.to_owned()
    };
    let uri: http::Uri = uri_text
        .parse()
        .map_err(|e| invalid(format!("cannot form a request target: {e}")))?;

    let has = |name: &str| {
        req.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut sent: Vec<(String, String)> = Vec::with_capacity(req.headers.len() + 3);
    if !h2 && !has("host") {
        sent.push(("host".into(), authority));
    }
    sent.extend(req.headers.iter().cloned());
    if !has("user-agent") {
        sent.push(("user-agent".into(), USER_AGENT.into()));
    }
    let wants_length = !req.body.is_empty()
        || matches!(
            req.method,
            http::Method::POST | http::Method::PUT | http::Method::PATCH
        );
    if wants_length && !has("content-length") {
        sent.push(("content-length".into(), req.body.len().to_string()));
    }

    let mut request = http::Request::new(Full::new(req.body.clone()));
    *request.method_mut() = req.method.clone();
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    for (name, value) in &sent {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("invalid header name {name:?}")))?;
        let header_value = HeaderValue::from_str(value)
            .map_err(|_| invalid(format!("invalid value for header {name}")))?;
        headers.append(header_name, header_value);
    }
    let record = RequestRecord {
        method: req.method.to_string(),
        url: req.url.to_string(),
        headers: sent,
        body: req.body.clone(),
    };
    Ok((request, record))
}

fn version_text(version: http::Version) -> String {
    match version {
        http::Version::HTTP_09 => "HTTP/0.9",
        http::Version::HTTP_10 => "HTTP/1.0",
        http::Version::HTTP_11 => "HTTP/1.1",
        http::Version::HTTP_2 => "HTTP/2",
        http::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/?",
    }
    .to_owned()
}

/// hyper's message plus its cause chain, lowercase-first as our messages are.
fn hyper_reason(e: &hyper::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    let mut depth = 0;
    while let Some(cause) = source {
        if depth >= 4 {
            break;
        }
        let part = match cause.downcast_ref::<std::io::Error>() {
            Some(io) => connect::io_reason(io),
            None => cause.to_string(),
        };
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
        depth += 1;
    }
    text
}
