//! The request, options and recorded exchange types.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;

/// One HTTP request to send.
#[derive(Debug, Clone)]
pub struct Request {
    /// Request method.
    pub method: http::Method,
    /// Absolute `http` or `https` URL.
    pub url: url::Url,
    /// Extra headers, sent in order. `Host`, `User-Agent` and `Content-Length` are added when absent.
    pub headers: Vec<(String, String)>,
    /// Request body (empty for none).
    pub body: Bytes,
}

impl Request {
    /// A `GET` of `url` with no headers and no body.
    pub fn get(url: url::Url) -> Self {
        Request {
            method: http::Method::GET,
            url,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }
}

/// How [`send`](crate::send) behaves.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Bounds the whole exchange, redirects included.
    pub timeout: Duration,
    /// How many redirects to follow; 0 (the default) follows none. The chain is recorded either way.
    pub follow_redirects: u32,
    /// Skip certificate verification (the problem is still recorded in [`TlsInfo::verify_error`]).
    pub insecure: bool,
    /// Additional trusted root certificates (PEM), e.g. a private CA.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Read at most this many bytes of each body; the rest is not read.
    pub max_body: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(10),
            follow_redirects: 0,
            insecure: false,
            extra_ca_pem: None,
            max_body: 1024 * 1024,
        }
    }
}

/// Everything that happened for one [`send`](crate::send): one hop per request made.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// At least one hop; the last holds the final response (a 3xx when the redirect limit was hit).
    pub hops: Vec<Hop>,
}

impl Exchange {
    /// The last hop, whose response is the final one.
    pub fn last(&self) -> Option<&Hop> {
        self.hops.last()
    }
}

/// One request/response pair on its own connection.
#[derive(Debug, Clone)]
pub struct Hop {
    /// What was sent.
    pub request: RequestRecord,
    /// What came back.
    pub response: ResponseRecord,
    /// How long each phase took.
    pub timings: Timings,
    /// The address actually connected to.
    pub remote_addr: Option<SocketAddr>,
    /// TLS session facts (`None` for plain `http`).
    pub tls: Option<TlsInfo>,
}

/// The request as sent, including the headers the client added.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// Method, e.g. `GET`.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Headers as sent (names as given by the caller, added ones lowercase).
    pub headers: Vec<(String, String)>,
    /// Body as sent.
    pub body: Bytes,
}

/// The response as received.
#[derive(Debug, Clone)]
pub struct ResponseRecord {
    /// Status code.
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2` or `HTTP/1.0`.
    pub version: String,
    /// Headers in received order, names lowercase, values decoded lossily as UTF-8.
    pub headers: Vec<(String, String)>,
    /// At most `max_body` bytes of the body.
    pub body: Bytes,
    /// True when the body was longer than `max_body` and reading stopped.
    pub body_truncated: bool,
    /// Body bytes actually read from the connection (may exceed `body.len()` by part of a frame).
    pub body_bytes_read: u64,
}

impl ResponseRecord {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Phase durations of one hop, in milliseconds. Phases are consecutive, not cumulative.
///
/// `dns_ms`: name resolution (`None` for an IP literal). `connect_ms`: TCP connect, all
/// addresses tried. `tls_ms`: TLS handshake (`None` for `http`). `first_byte_ms`: from the
/// start of sending the request to receiving the response head. `total_ms`: the whole hop,
/// from resolution to the end of the body read.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timings {
    /// Name resolution.
    pub dns_ms: Option<f64>,
    /// TCP connect.
    pub connect_ms: Option<f64>,
    /// TLS handshake.
    pub tls_ms: Option<f64>,
    /// Request sent → response head received.
    pub first_byte_ms: Option<f64>,
    /// The whole hop.
    pub total_ms: f64,
}

/// Facts about a TLS session.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsInfo {
    /// Negotiated protocol, e.g. `TLSv1.3`.
    pub protocol: String,
    /// Negotiated cipher suite, e.g. `TLS13_AES_128_GCM_SHA256`.
    pub cipher_suite: String,
    /// Negotiated ALPN protocol, e.g. `h2`.
    pub alpn: Option<String>,
    /// Certificates as sent by the server (DER, leaf first).
    pub peer_certificates: Vec<Vec<u8>>,
    /// Why verification would have failed; only set when `insecure` let the handshake proceed.
    pub verify_error: Option<String>,
    /// The same problem, typed (for probes that classify it, such as `tls`).
    pub verify_problem: Option<crate::error::TlsProblem>,
}
