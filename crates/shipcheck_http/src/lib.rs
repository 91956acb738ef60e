//! The HTTP client behind shipcheck's `http` probe, load generator and WebSocket probe.
//!
//! A [`Client`] drives each connection itself — DNS (`lookup_host`), `TcpStream`,
//! tokio-rustls (ring provider, ALPN `h2`/`http/1.1`), then hyper's HTTP/1.1 or HTTP/2
//! connection API as ALPN decided — so every hop records exact [`Timings`] (dns, connect, tls,
//! first byte, total; a hop over a pooled keep-alive connection has no dns/connect/tls). Its
//! TLS configuration is built once; with [`ClientBuilder::keep_alive`] it keeps a small
//! bounded pool of idle connections per origin. [`send`] is the one-shot form (a new
//! configuration and a new connection per hop).
//!
//! Redirects are followed only when asked, and every hop is recorded either way; a hop to
//! another origin drops credentials and headers holding a sensitive value, and says which.
//! Bodies are read up to `max_body`; `gzip`, `deflate` and `br` bodies are decoded, with the
//! decoded size capped by the same `max_body` ([`Decoding`] records both sizes). Errors say
//! which phase failed and why (for TLS: which certificate, self-signed, expired, wrong host,
//! unknown issuer…) and map to the report's [`FailureClass`](shipcheck_report::FailureClass)
//! via [`HttpError::class`].
//!
//! Client features as users of curl and Hurl expect them: Basic credentials
//! ([`RequestOptions::basic_auth`]), a [`CookieJar`] carried between requests, client
//! certificates ([`ClientIdentity`]), HTTP proxies ([`ProxyConfig`], `CONNECT` for https) and
//! `multipart/form-data` bodies ([`Multipart`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use shipcheck_http::{Client, Request, RequestOptions};
//! let client = Client::builder().keep_alive(2).build()?;
//! let url = url::Url::parse("https://example.com/health")?;
//! let options = RequestOptions { follow_redirects: 3, ..RequestOptions::default() };
//! match client.send(&Request::get(url), &options).await {
//!     Ok(exchange) => {
//!         let last = exchange.last().ok_or("no hop")?;
//!         println!("{} in {:.1} ms", last.response.status, last.timings.total_ms);
//!     }
//!     Err(e) => println!("{} error: {e}", e.class().as_str()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`open`] gives probes that speak their own protocol (TLS inspection, WebSocket) the same
//! timed DNS/TCP/TLS connection set-up. [`body_excerpt`] renders a body for evidence without
//! copying binary bytes.
//!
//! It does not redact (the report layer does; [`CookieJar::values`] and
//! [`RequestOptions::sensitive_values`] name what to redact), reads no environment unless
//! asked ([`ProxyConfig::from_env`]) and prints nothing.

mod certinfo;
mod client;
mod connect;
mod cookies;
mod decode;
mod error;
mod excerpt;
mod hop;
mod multipart;
mod pool;
mod progress;
mod proxy;
mod redirect;
mod sever;
mod stream;
mod tls;
mod types;

pub use client::{Client, ClientBuilder, MAX_REDIRECTS, send};
pub use cookies::CookieJar;
pub use decode::Decoding;
pub use error::{HttpError, Phase, TlsProblem};
pub use excerpt::body_excerpt;
pub use multipart::Multipart;
pub use proxy::ProxyConfig;
pub use stream::{Connection, OpenOptions, Stream, open};
pub use tls::ClientIdentity;
pub use types::{
    BasicAuth, ClientOptions, Exchange, Hop, Request, RequestOptions, RequestRecord,
    ResponseRecord, Timings, TlsInfo,
};
