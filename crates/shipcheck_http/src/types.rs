//! The request, options and recorded exchange types.

use std::fmt;
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

/// One request/response pair, on a new connection or one reused from the pool.
#[derive(Debug, Clone, Default)]
pub struct Hop {
    /// What was sent.
    pub request: RequestRecord,
    /// What came back.
    pub response: ResponseRecord,
    /// How long each phase took.
    pub timings: Timings,
    /// The address actually connected to.
    pub remote_addr: Option<SocketAddr>,
    /// TLS session facts (`None` for plain `http`; a reused connection repeats its facts).
    pub tls: Option<TlsInfo>,
    /// True when the hop went over a pooled keep-alive connection (no dns/connect/tls phases).
    pub reused_connection: bool,
    /// Headers not sent on this hop because it goes to another origin than the one before
    /// (names only; credentials and headers holding a sensitive value).
    pub dropped_headers: Vec<String>,
    /// The proxy the hop went through (`host:port`, never its credentials).
    pub via_proxy: Option<String>,
}

/// The request as sent, including the headers the client added.
#[derive(Debug, Clone, Default)]
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
#[derive(Debug, Clone, Default)]
pub struct ResponseRecord {
    /// Status code.
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2` or `HTTP/1.0`.
    pub version: String,
    /// Headers in received order, names lowercase, values decoded lossily as UTF-8.
    pub headers: Vec<(String, String)>,
    /// At most `max_body` bytes of the body, decoded when it had a `Content-Encoding` we know.
    pub body: Bytes,
    /// True when the body (decoded, if it was encoded) was longer than `max_body` and reading
    /// stopped.
    pub body_truncated: bool,
    /// Body bytes actually read from the connection, before decoding (may exceed `body.len()`
    /// by part of a frame).
    pub body_bytes_read: u64,
    /// How the body was decoded (`None` when it had no `Content-Encoding`).
    pub decoding: Option<crate::decode::Decoding>,
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

/// Per-request behaviour of [`Client::send`](crate::Client::send).
#[derive(Clone)]
pub struct RequestOptions {
    /// Bounds the whole exchange, redirects included.
    pub timeout: Duration,
    /// How many redirects to follow; 0 (the default) follows none. The chain is recorded either way.
    pub follow_redirects: u32,
    /// Keep at most this many body bytes (decoded) and read at most this many from the wire.
    pub max_body: usize,
    /// Send `Accept-Encoding: gzip, deflate, br` unless the request has one (curl's
    /// `--compressed`). Encoded responses are decoded either way.
    pub compressed: bool,
    /// Values that must not reach another origin (declared secrets, secret captures): on a
    /// redirect to a different scheme, host or port, every header whose value contains one is
    /// dropped, as are `Authorization`, `Cookie` and `Proxy-Authorization`.
    pub sensitive_values: Vec<String>,
    /// Sent as `Authorization: Basic …` unless the request has an `Authorization` header.
    pub basic_auth: Option<BasicAuth>,
    /// Cookies to send and to keep: each hop adds the jar's cookies for its URL and stores
    /// the `Set-Cookie` headers it receives (so a login's session reaches the next hop and
    /// the next request given the same jar).
    pub cookie_jar: Option<crate::CookieJar>,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions::from(&ClientOptions::default())
    }
}

impl From<&ClientOptions> for RequestOptions {
    fn from(opts: &ClientOptions) -> Self {
        RequestOptions {
            timeout: opts.timeout,
            follow_redirects: opts.follow_redirects,
            max_body: opts.max_body,
            compressed: false,
            sensitive_values: Vec::new(),
            basic_auth: None,
            cookie_jar: None,
        }
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("follow_redirects", &self.follow_redirects)
            .field("max_body", &self.max_body)
            .field("compressed", &self.compressed)
            .field("sensitive_values", &self.sensitive_values.len())
            .field("basic_auth", &self.basic_auth)
            .field("cookie_jar", &self.cookie_jar)
            .finish()
    }
}

/// A user name and password for HTTP Basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// User name (must not contain `:`).
    pub user: String,
    /// Password.
    pub password: String,
}

impl BasicAuth {
    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        use base64::Engine as _;
        let pair = format!("{}:{}", self.user, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}
