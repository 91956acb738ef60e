//! In-process test servers on 127.0.0.1 (plain, TLS, hanging) and an rcgen PKI.
#![allow(dead_code, unreachable_pub, clippy::expect_used)] // test-only helpers: a failed set-up should panic

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{CertificateParams, date_time_ymd};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A server task that stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    /// Connections accepted so far (TLS or not).
    pub accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn url(&self, scheme: &str, path: &str) -> url::Url {
        url::Url::parse(&format!("{scheme}://{}{path}", self.addr)).expect("test url")
    }

    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn counted(accepted: &Arc<AtomicUsize>) {
    accepted.fetch_add(1, Ordering::SeqCst);
}

/// `data` compressed with `coding` (`gzip`, `deflate` = zlib, `raw-deflate`, `br`).
pub fn compress(coding: &str, data: &[u8]) -> Vec<u8> {
    use flate2::Compression;
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).expect("gzip");
            e.finish().expect("gzip")
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).expect("zlib");
            e.finish().expect("zlib")
        }
        "raw-deflate" => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(data).expect("deflate");
            e.finish().expect("deflate")
        }
        "br" => {
            let mut out = Vec::new();
            let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            e.write_all(data).expect("br");
            drop(e);
            out
        }
        other => panic!("unknown coding {other}"),
    }
}

/// The text every `/encoded/*` route sends, compressed.
pub fn encoded_text() -> String {
    (0..200).map(|i| format!("line {i}: all good\n")).collect()
}

/// 64 MiB of zeros, gzipped (about 64 KiB on the wire).
fn bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            e.write_all(&zeros).expect("bomb");
        }
        e.finish().expect("bomb")
    })
}

fn response(
    status: u16,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Full::new(body.into())).expect("test response")
}

/// The routes every test server answers.
async fn route(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let reply = if path == "/json" {
        response(
            200,
            &[("content-type", "application/json")],
            r#"{"status":"ok"}"#,
        )
    } else if let Some(n) = path.strip_prefix("/chain/") {
        // /chain/N answers 301 to /chain/N-1 (absolute path); /chain/0 answers 200.
        match n.parse::<u32>() {
            Ok(0) => response(200, &[], "end of chain"),
            Ok(n) => {
                let location = format!("/chain/{}", n - 1);
                response(301, &[("location", location.as_str())], "")
            }
            Err(_) => response(400, &[], "bad chain"),
        }
    } else if path == "/dir/start" {
        response(302, &[("location", "next?x=1")], "")
    } else if path == "/dir/next" {
        response(
            200,
            &[],
            format!("next {}", req.uri().query().unwrap_or("")),
        )
    } else if path == "/loop" {
        response(302, &[("location", "/loop")], "")
    } else if path == "/see-other" {
        response(303, &[("location", "/echo")], "")
    } else if path == "/login" {
        response(
            302,
            &[
                ("location", "/me"),
                ("set-cookie", "session=FAKE-sess-1; Path=/; HttpOnly"),
                ("set-cookie", "theme=dark; Path=/prefs"),
            ],
            "",
        )
    } else if path == "/logout" {
        response(200, &[("set-cookie", "session=; Path=/; Max-Age=0")], "bye")
    } else if path == "/me" {
        match req.headers().get("cookie").and_then(|v| v.to_str().ok()) {
            Some(cookie) if cookie.contains("session=") => {
                response(200, &[], format!("cookie: {cookie}"))
            }
            _ => response(401, &[], "no session"),
        }
    } else if path == "/redirect" {
        // /redirect?to=URL answers 307 to URL.
        let to = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "to")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        response(307, &[("location", to.as_str())], "")
    } else if let Some(coding) = path.strip_prefix("/encoded/") {
        let (wire_coding, body) = match coding {
            "corrupt" => ("gzip", b"\x1f\x8b\x08\x00not really gzip at all".to_vec()),
            "raw-deflate" => ("deflate", compress(coding, encoded_text().as_bytes())),
            _ => (coding, compress(coding, encoded_text().as_bytes())),
        };
        response(200, &[("content-encoding", wire_coding)], body)
    } else if path == "/bomb" {
        response(
            200,
            &[
                ("content-encoding", "gzip"),
                ("content-type", "application/json"),
            ],
            bomb(),
        )
    } else if path == "/big" {
        response(200, &[], vec![b'x'; 2 * 1024 * 1024])
    } else if path == "/echo" {
        let method = req.method().to_string();
        let mut text = format!("{method}\n");
        for (name, value) in req.headers() {
            text.push_str(&format!("{}: {}\n", name, value.to_str().unwrap_or("?")));
        }
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(&body));
        response(200, &[], text)
    } else {
        response(404, &[], "not found")
    };
    Ok(reply)
}

async fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    (listener, addr)
}

fn serve_io<IO>(io: IO)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
            .serve_connection(TokioIo::new(io), service_fn(route))
            .await;
    });
}

/// Plain HTTP (h1, or h2 with prior knowledge).
pub async fn http_server() -> Server {
    http_server_on("127.0.0.1").await
}

/// Plain HTTP on another loopback address (e.g. `127.0.0.2`, another origin).
pub async fn http_server_on(ip: &str) -> Server {
    let listener = TcpListener::bind((ip, 0)).await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted(&count);
            serve_io(stream);
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

/// TLS and plain HTTP on the same port (the first byte tells them apart), for https → http
/// redirects to the same host and port.
pub async fn dual_server(leaf: &Leaf) -> Server {
    let acceptor = tls_acceptor(leaf.cert.clone(), leaf.key(), &[b"http/1.1"]);
    let (listener, addr) = listener().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted(&count);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let mut first = [0u8; 1];
                if stream.peek(&mut first).await.is_err() {
                    return;
                }
                if first[0] == 0x16 {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        serve_io(tls);
                    }
                } else {
                    serve_io(stream);
                }
            });
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

/// HTTPS with the given chain and key, offering `alpn`.
pub async fn https_server(leaf: &Leaf, alpn: &[&[u8]]) -> Server {
    https_server_with(leaf.cert.clone(), leaf.key(), alpn).await
}

/// HTTPS with a certificate made by the test itself.
pub async fn https_server_with(
    cert: rustls_pki_types::CertificateDer<'static>,
    key: rustls_pki_types::PrivateKeyDer<'static>,
    alpn: &[&[u8]],
) -> Server {
    let acceptor = tls_acceptor(cert, key, alpn);
    let (listener, addr) = listener().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted(&count);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    serve_io(tls);
                }
            });
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

fn tls_acceptor(
    cert: rustls_pki_types::CertificateDer<'static>,
    key: rustls_pki_types::PrivateKeyDer<'static>,
    alpn: &[&[u8]],
) -> tokio_rustls::TlsAcceptor {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .expect("server cert");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Accepts connections and never answers.
pub async fn hanging_server() -> Server {
    let (listener, addr) = listener().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counted(&count);
            held.push(stream);
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

/// Reads the request head, writes `reply` verbatim, and closes.
pub async fn raw_server(reply: &'static [u8]) -> Server {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (listener, addr) = listener().await;
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted(&count);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(reply).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Server {
        addr,
        accepted,
        task,
    }
}

/// A loopback port nobody listens on (bound, then released).
pub async fn closed_port() -> SocketAddr {
    let (listener, addr) = listener().await;
    drop(listener);
    addr
}

#[allow(unused_imports)] // each test binary uses a different part
pub use shipcheck_test_support::{Ca, Leaf, self_signed};

/// Validity entirely in the past.
pub fn expired(params: &mut CertificateParams) {
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after = date_time_ymd(2001, 1, 1);
}
