//! One request/response: over a pooled keep-alive connection when one is idle, otherwise over
//! a fresh connection (DNS, TCP, TLS, then hyper's connection API), every phase timed.

use std::time::Instant;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::connect::{self, Target, ms};
use crate::decode::{BodyReader, Flow};
use crate::error::{HttpError, Phase};
use crate::pool::{AbortOnDrop, Conn, Origin, Pool, Sender};
use crate::progress::Progress;
use crate::proxy::ProxyConfig;
use crate::sever::Severable;
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

/// What a hop needs from its client and its exchange.
pub(crate) struct HopContext<'a> {
    /// The TLS set-up, for `https` hops.
    pub(crate) tls: Option<&'a TlsSetup>,
    /// Idle keep-alive connections, when the client keeps them.
    pub(crate) pool: Option<&'a Pool>,
    /// Proxies, when the client has any.
    pub(crate) proxy: Option<&'a ProxyConfig>,
    pub(crate) max_body: usize,
    pub(crate) progress: &'a Progress,
}

/// Send `req` and read the response (body capped at `max_body`, decoded if encoded).
pub(crate) async fn run(req: &HopRequest, cx: &HopContext<'_>) -> Result<Hop, HttpError> {
    let start = Instant::now();
    let target = Target::from_url(&req.url)?;
    let origin = Origin::of(&req.url);
    if let (Some(pool), Some(origin)) = (cx.pool, &origin)
        && let Some(conn) = pool.take(origin)
    {
        let remote = conn.remote;
        let tls = conn.tls.clone();
        let via = conn.via_proxy.as_ref().map(|p| p.label.clone());
        match exchange(conn, req, &target, cx).await {
            Ok(done) => {
                let timings = Timings {
                    first_byte_ms: Some(done.first_byte_ms),
                    total_ms: ms(start),
                    ..Timings::default()
                };
                let mut hop = done.into_hop(timings, remote, tls, true, cx.pool, Some(origin));
                hop.via_proxy = via;
                return Ok(hop);
            }
            // The server closed the idle connection before taking the request: use a new one.
            Err(Failed::NotSent(_)) => {}
            Err(Failed::Error(e)) => return Err(e),
        }
    }

    let start = Instant::now();
    let proxy = cx.proxy.and_then(|config| config.proxy_for(&req.url));
    let mut tcp = match proxy {
        Some(proxy) => connect::tcp(&Target::from_url(&proxy.url)?, cx.progress).await?,
        None => connect::tcp(&target, cx.progress).await?,
    };
    let mut timings = Timings {
        dns_ms: tcp.dns_ms,
        connect_ms: Some(tcp.connect_ms),
        ..Timings::default()
    };
    let remote = tcp.remote;
    let mut conn = if target.https {
        let setup = cx.tls.ok_or_else(|| HttpError::TlsConfig {
            reason: "no tls configuration for an https url".into(),
        })?;
        if let Some(proxy) = proxy {
            // The tunnel is part of getting connected to the origin.
            let tunnel_start = Instant::now();
            crate::proxy::tunnel(&mut tcp.stream, &target, proxy).await?;
            timings.connect_ms = Some(tcp.connect_ms + ms(tunnel_start));
        }
        let (stream, info, tls_ms) = connect::tls(tcp.stream, &target, setup, cx.progress).await?;
        timings.tls_ms = Some(tls_ms);
        let h2 = info.alpn.as_deref() == Some("h2");
        handshake(stream, h2, &target, remote, Some(info)).await?
    } else {
        handshake(tcp.stream, false, &target, remote, None).await?
    };
    conn.via_proxy = proxy.cloned();
    conn.forward = proxy.is_some() && !target.https;
    let tls = conn.tls.clone();
    let via = proxy.map(|p| p.label.clone());
    let done = match exchange(conn, req, &target, cx).await {
        Ok(done) => done,
        Err(Failed::NotSent(e) | Failed::Error(e)) => return Err(e),
    };
    timings.first_byte_ms = Some(done.first_byte_ms);
    timings.total_ms = ms(start);
    let mut hop = done.into_hop(timings, remote, tls, false, cx.pool, origin.as_ref());
    hop.via_proxy = via;
    Ok(hop)
}

/// hyper's client handshake over a connected stream; the connection is driven by a task that
/// ends with the [`Conn`], and its stream is closed as soon as the `Conn` is dropped.
async fn handshake<IO>(
    io: IO,
    h2: bool,
    target: &Target,
    remote: std::net::SocketAddr,
    tls: Option<crate::types::TlsInfo>,
) -> Result<Conn, HttpError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let protocol = |e: hyper::Error| HttpError::Protocol {
        addr: target.label.clone(),
        reason: hyper_reason(&e),
    };
    let (io, stream) = Severable::new(io);
    let (sender, driver) = if h2 {
        let (sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                .await
                .map_err(protocol)?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            // Errors surface through `send_request`; nothing else to do with them here.
            let _ = conn.await;
        }));
        (Sender::H2(sender), driver)
    } else {
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(protocol)?;
        let driver = AbortOnDrop(tokio::spawn(async move {
            let _ = conn.await;
        }));
        (Sender::H1(sender), driver)
    };
    Ok(Conn {
        sender,
        remote,
        tls,
        via_proxy: None,
        forward: false,
        _stream: stream,
        _driver: driver,
    })
}

/// Why an exchange on a connection did not complete.
enum Failed {
    /// The request never left (the connection was already closed): safe to send again.
    NotSent(HttpError),
    Error(HttpError),
}

/// A completed exchange, and the connection when it can carry another request.
struct Done {
    record: RequestRecord,
    response: ResponseRecord,
    first_byte_ms: f64,
    reusable: Option<Conn>,
}

impl Done {
    fn into_hop(
        self,
        timings: Timings,
        remote: std::net::SocketAddr,
        tls: Option<crate::types::TlsInfo>,
        reused: bool,
        pool: Option<&Pool>,
        origin: Option<&Origin>,
    ) -> Hop {
        if let (Some(pool), Some(origin), Some(conn)) = (pool, origin, self.reusable) {
            pool.put(origin.clone(), conn);
        }
        Hop {
            request: self.record,
            response: self.response,
            timings,
            remote_addr: Some(remote),
            tls,
            reused_connection: reused,
            dropped_headers: Vec::new(),
            via_proxy: None,
        }
    }
}

async fn exchange(
    mut conn: Conn,
    req: &HopRequest,
    target: &Target,
    cx: &HopContext<'_>,
) -> Result<Done, Failed> {
    let h2 = matches!(conn.sender, Sender::H2(_));
    let forward = conn.forward.then_some(conn.via_proxy.as_ref()).flatten();
    let (request, record) = build(req, h2, forward).map_err(Failed::Error)?;
    let protocol = |e: &hyper::Error| HttpError::Protocol {
        addr: target.label.clone(),
        reason: hyper_reason(e),
    };
    cx.progress.set(Phase::FirstByte, &target.label);
    let start = Instant::now();
    let sent = match &mut conn.sender {
        Sender::H1(sender) => match sender.ready().await {
            Ok(()) => sender.try_send_request(request).await,
            Err(e) => return Err(Failed::NotSent(protocol(&e))),
        },
        Sender::H2(sender) => match sender.ready().await {
            Ok(()) => sender.try_send_request(request).await,
            Err(e) => return Err(Failed::NotSent(protocol(&e))),
        },
    };
    let response = match sent {
        Ok(response) => response,
        Err(mut e) => {
            let not_sent = e.take_message().is_some();
            let error = protocol(&e.into_error());
            return Err(if not_sent {
                Failed::NotSent(error)
            } else {
                Failed::Error(error)
            });
        }
    };
    let first_byte_ms = ms(start);

    cx.progress.set(Phase::Body, &target.label);
    let status = response.status().as_u16();
    let version = version_text(response.version());
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let encoding = response
        .headers()
        .get(http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let reader = BodyReader::new(encoding, cx.max_body);
    let (read, complete) = read_body(response.into_body(), reader)
        .await
        .map_err(|e| Failed::Error(protocol(&e)))?;
    Ok(Done {
        record,
        response: ResponseRecord {
            status,
            version,
            headers,
            body: read.body,
            body_truncated: read.truncated,
            body_bytes_read: read.wire_bytes,
            decoding: read.decoding,
        },
        first_byte_ms,
        // Only a connection whose response was read to the end can carry another request.
        reusable: complete.then_some(conn),
    })
}

/// Read frames until the end, or until the reader has enough (then stop reading).
async fn read_body(
    mut body: Incoming,
    mut reader: BodyReader,
) -> Result<(crate::decode::BodyRead, bool), hyper::Error> {
    // Each iteration consumes one frame; the stream is finite or cut by the caller's timeout.
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers
        };
        if reader.push(&data) == Flow::Stop {
            return Ok((reader.finish(false), false));
        }
    }
    Ok((reader.finish(true), true))
}

/// The hyper request plus the record of what is sent.
/// With `forward`, the request goes to that proxy in absolute form, with its credentials.
fn build(
    req: &HopRequest,
    h2: bool,
    forward: Option<&crate::proxy::Proxy>,
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
    let uri_text = if h2 || forward.is_some() {
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
    if let Some(auth) = forward.and_then(|p| p.authorization.as_ref())
        && !has("proxy-authorization")
    {
        sent.push(("proxy-authorization".into(), auth.clone()));
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
