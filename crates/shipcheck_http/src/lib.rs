//! The HTTP client behind shipcheck's `http` probe, load generator and WebSocket probe.
//!
//! [`send`] drives each connection itself — DNS (`lookup_host`), `TcpStream`, tokio-rustls
//! (ring provider, ALPN `h2`/`http/1.1`), then hyper's HTTP/1.1 or HTTP/2 connection API as
//! ALPN decided — so every hop records exact [`Timings`] (dns, connect, tls, first byte,
//! total). Redirects are followed only when asked, and every hop is recorded either way.
//! Bodies are read up to [`ClientOptions::max_body`]; the rest is never read. Errors say which
//! phase failed and why (for TLS: which certificate, self-signed, expired, wrong host…) and map
//! to the report's [`FailureClass`](shipcheck_report::FailureClass) via [`HttpError::class`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use shipcheck_http::{ClientOptions, Request, send};
//! let url = url::Url::parse("https://example.com/health")?;
//! let options = ClientOptions { follow_redirects: 3, ..ClientOptions::default() };
//! match send(&Request::get(url), &options).await {
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
//! timed DNS/TCP/TLS connection set-up.
//!
//! It does not pool connections (one connection per hop), does not decompress bodies, does not
//! redact (the report layer does) and prints nothing.

mod certinfo;
mod client;
mod connect;
mod error;
mod hop;
mod progress;
mod stream;
mod tls;
mod types;

pub use client::{MAX_REDIRECTS, send};
pub use error::{HttpError, Phase, TlsProblem};
pub use stream::{Connection, OpenOptions, Stream, open};
pub use tls::ClientIdentity;
pub use types::{
    ClientOptions, Exchange, Hop, Request, RequestRecord, ResponseRecord, Timings, TlsInfo,
};
