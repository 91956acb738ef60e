//! TLS and HTTP/2 faults for the hardening tests: a TLS server with a chosen certificate
//! (expired, self-signed, for the wrong host), and an HTTP/2 server (ALPN `h2`, raw frames)
//! that answers a request with `GOAWAY` or `RST_STREAM`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::faults::{CONNECTION_LIFETIME, Counters, FaultServer, read_request};
use crate::{Ca, Leaf};

/// What the TLS server does after the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterHandshake {
    /// Answers HTTP/1.1 `200 ok`.
    Ok,
    /// Speaks HTTP/2 (ALPN `h2`) and answers the first request with `GOAWAY` (no streams
    /// processed, `INTERNAL_ERROR`).
    GoAway,
    /// Speaks HTTP/2 and resets the first request's stream (`RST_STREAM`, `INTERNAL_ERROR`).
    RstStream,
}

/// A certificate that is expired (signed by `ca`, valid 2020-01-01 to 2020-02-01).
pub fn expired_leaf(ca: &Ca, names: &[&str]) -> Leaf {
    ca.leaf_with(names, |p| {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2020, 2, 1);
    })
}

/// Starts a TLS server presenting `leaf`, doing `then` after the handshake.
pub fn tls_server(leaf: &Leaf, then: AfterHandshake) -> FaultServer {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(vec![leaf.cert.clone()], leaf.key())
        .expect("server certificate");
    if then != AfterHandshake::Ok {
        config.alpn_protocols = vec![b"h2".to_vec()];
    }
    let config = Arc::new(config);
    FaultServer::start_with(move |s, c, stop| {
        let Ok(conn) = ServerConnection::new(config.clone()) else {
            return;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
        let mut tls = StreamOwned::new(conn, s);
        match then {
            AfterHandshake::Ok => http1_ok(&mut tls, c, stop),
            AfterHandshake::GoAway | AfterHandshake::RstStream => h2_fault(&mut tls, then, stop),
        }
    })
}

type Tls = StreamOwned<ServerConnection, TcpStream>;

fn http1_ok(tls: &mut Tls, c: &Counters, stop: &AtomicBool) {
    // Reads until the end of the head (bounded by the connection lifetime), then answers.
    let started = Instant::now();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if stop.load(Ordering::Relaxed) || started.elapsed() > CONNECTION_LIFETIME {
            return;
        }
        match tls.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if timed_out(&e) => {}
            Err(_) => return, // the client refused our certificate: the point of the test
        }
    }
    c.requests.fetch_add(1, Ordering::SeqCst);
    let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    let _ = tls.flush();
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// One HTTP/2 frame: 24-bit length, type, flags, stream id, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const SETTINGS: u8 = 0x4;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const GOAWAY: u8 = 0x7;
const INTERNAL_ERROR: u32 = 0x2;

fn h2_fault(tls: &mut Tls, then: AfterHandshake, stop: &AtomicBool) {
    let started = Instant::now();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut greeted = false;
    // Bounded by the connection lifetime and the stop flag.
    while !stop.load(Ordering::Relaxed) && started.elapsed() < CONNECTION_LIFETIME {
        match tls.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if timed_out(&e) => continue,
            Err(_) => return,
        }
        if !greeted {
            if buf.len() < PREFACE.len() {
                continue;
            }
            if !buf.starts_with(PREFACE) {
                return;
            }
            buf.drain(..PREFACE.len());
            let mut hello = frame(SETTINGS, 0, 0, &[]);
            hello.extend(frame(SETTINGS, 0x1, 0, &[])); // ACK of the client's settings
            if tls.write_all(&hello).is_err() {
                return;
            }
            greeted = true;
        }
        // Walk the complete frames received so far.
        while buf.len() >= 9 {
            let len =
                (usize::from(buf[0]) << 16) | (usize::from(buf[1]) << 8) | usize::from(buf[2]);
            if buf.len() < 9 + len {
                break;
            }
            let kind = buf[3];
            let stream = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) & 0x7fff_ffff;
            buf.drain(..9 + len);
            if kind != HEADERS {
                continue;
            }
            let reply = match then {
                AfterHandshake::GoAway => {
                    let mut p = 0u32.to_be_bytes().to_vec(); // last stream id: none processed
                    p.extend_from_slice(&INTERNAL_ERROR.to_be_bytes());
                    frame(GOAWAY, 0, 0, &p)
                }
                _ => frame(RST_STREAM, 0, stream, &INTERNAL_ERROR.to_be_bytes()),
            };
            if tls.write_all(&reply).is_err() {
                return;
            }
            let _ = tls.flush();
        }
    }
}

/// A WebSocket server that completes the upgrade, sends one text message (`"hello"`), then
/// the start of a second frame, and drops the connection mid-frame (no close frame).
pub fn websocket_cut_mid_stream() -> FaultServer {
    FaultServer::start_with(|mut s, c, stop| {
        let Some(req) = read_request(&mut s, stop) else {
            return;
        };
        c.requests.fetch_add(1, Ordering::SeqCst);
        let Some(key) = req.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("sec-websocket-key")
                .then(|| v.trim().to_owned())
        }) else {
            return;
        };
        let accept = websocket_accept(&key);
        let mut out = format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n"
        )
        .into_bytes();
        out.extend_from_slice(&[0x81, 0x05]);
        out.extend_from_slice(b"hello");
        // A text frame announcing 4096 bytes, of which 10 arrive.
        out.extend_from_slice(&[0x81, 0x7e, 0x10, 0x00]);
        out.extend_from_slice(b"0123456789");
        let _ = s.write_all(&out);
        let _ = s.flush();
        std::thread::sleep(Duration::from_millis(100));
    })
}

/// `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2).
fn websocket_accept(key: &str) -> String {
    use base64::Engine as _;
    let mut input = key.as_bytes().to_vec();
    input.extend_from_slice(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &input);
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}
