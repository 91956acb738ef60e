//! A loopback server that misbehaves on purpose: one [`Fault`] per port, for the hardening
//! tests (issue 16) — resets, drips, endless bodies, huge headers, garbage, redirect loops,
//! decompression bombs, and an echo mode for the secret audit. Plain threads, std sockets.
//!
//! Every connection thread is bounded (at most [`CONNECTION_LIFETIME`], ends when the server
//! is dropped), so a client that gives up leaves nothing running for long.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The token [`Fault::Echo`] issues at `/login` (a secret the plan only learns by capture).
pub const ISSUED_TOKEN: &str = "srvIssued_7Qx2Lp9Zk4Vb";

/// How long one connection thread may live, whatever the client does.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

/// What the server does with every connection.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers `200` with a small JSON body, keep-alive (the healthy baseline).
    Ok,
    /// Like [`Fault::Ok`], after this delay (so concurrent requests overlap).
    Slow(Duration),
    /// Accepts and never answers.
    Silent,
    /// Reads the request, writes half a status line and headers, then resets (RST).
    ResetMidHeaders,
    /// Sends headers (`Content-Length: 100000`) and 100 bytes of body, then resets.
    ResetMidBody,
    /// Sends the response head one byte per period.
    DripHeaders(Duration),
    /// Sends a complete head (`Content-Length: 1000000`), then the body one byte per period.
    DripBody(Duration),
    /// Announces `Content-Length: 10737418240` (10 GB) and trickles 1 KiB every 100 ms.
    HugeContentLength,
    /// A chunked body whose chunks never stop (8 KiB each, as fast as the client reads).
    EndlessChunked,
    /// One header line of 1 MiB.
    HugeHeaderLine,
    /// 10,000 header lines.
    ManyHeaders,
    /// `HTTP/1.1 abc OK`.
    InvalidStatusLine,
    /// HTTP/0.9 style: bytes that are no status line at all, then close.
    Http09Garbage,
    /// `302` to the same path, forever.
    RedirectLoop,
    /// `Content-Encoding: gzip` over `decoded` bytes of zeros (compressed when started).
    GzipBomb {
        /// Decoded size in bytes.
        decoded: usize,
    },
    /// Reads the ClientHello (whatever the client sends first), then closes.
    CloseAfterFirstBytes,
    /// Echoes the request back everywhere a response can carry it (secret audit): the body
    /// (JSON; an HTML error page under `/error`; binary under `/binary`), an `x-echo`
    /// header, `Set-Cookie`, and — under `/redirect` — a `Location`. `/login` answers
    /// `{"access_token": ISSUED_TOKEN}`.
    Echo,
}

/// Counters the server keeps.
#[derive(Default, Debug)]
pub struct Counters {
    /// Connections accepted.
    pub accepted: AtomicUsize,
    /// Requests read (request heads).
    pub requests: AtomicUsize,
    /// Requests read and not yet answered (or whose connection is still open, for `Silent`).
    pub in_flight: AtomicUsize,
    /// The most requests in flight at once.
    pub max_in_flight: AtomicUsize,
}

impl Counters {
    fn enter(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
    }
    fn leave(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running fault server on 127.0.0.1; its threads stop when it is dropped.
pub struct FaultServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it has seen.
    pub counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
}

impl FaultServer {
    /// Starts a server with `fault` on a free port.
    pub fn start(fault: Fault) -> FaultServer {
        let fault = Arc::new(Prepared::new(fault));
        Self::start_with(move |s, c, stop| serve(&fault, s, c, stop))
    }

    /// Starts a server that hands every accepted connection to `handle` on its own thread.
    pub fn start_with(
        handle: impl Fn(TcpStream, &Counters, &AtomicBool) + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let handle = Arc::new(handle);
        let (flag, seen) = (stop.clone(), counters.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            // Bounded: ends when dropped or after the connection lifetime.
            while !flag.load(Ordering::Relaxed) && started.elapsed() < CONNECTION_LIFETIME {
                match listener.accept() {
                    Ok((s, _)) => {
                        seen.accepted.fetch_add(1, Ordering::SeqCst);
                        let _ = s.set_nonblocking(false);
                        let (h, c, f) = (handle.clone(), seen.clone(), flag.clone());
                        std::thread::spawn(move || h(s, &c, &f));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FaultServer {
            addr,
            counters,
            stop,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The most requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.counters.max_in_flight.load(Ordering::SeqCst)
    }

    /// Requests read so far.
    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A fault with anything expensive (the gzip bomb) computed once.
struct Prepared {
    fault: Fault,
    bomb: Vec<u8>,
}

impl Prepared {
    fn new(fault: Fault) -> Prepared {
        let bomb = match &fault {
            Fault::GzipBomb { decoded } => gzip_zeros(*decoded),
            _ => Vec::new(),
        };
        Prepared { fault, bomb }
    }
}

fn gzip_zeros(n: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![0u8; 1 << 20];
    let mut left = n;
    while left > 0 {
        let k = left.min(block.len());
        enc.write_all(&block[..k]).expect("compress");
        left -= k;
    }
    enc.finish().expect("compress")
}

/// Reads one request head (and a `Content-Length` body, at most 1 MiB); `None` at EOF,
/// error or stop.
pub fn read_request(s: &mut TcpStream, stop: &AtomicBool) -> Option<String> {
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let started = Instant::now();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if stop.load(Ordering::Relaxed) || started.elapsed() > CONNECTION_LIFETIME {
            return None;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
        match s.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(_) => return None,
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
        .min(1 << 20);
    while buf.len() < head_end + length {
        if stop.load(Ordering::Relaxed) || started.elapsed() > CONNECTION_LIFETIME {
            return None;
        }
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(_) => return None,
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Closes `s` with a TCP reset (linger 0) instead of a FIN.
pub fn reset(s: TcpStream) {
    let _ = socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO));
    drop(s);
}

/// Sleeps `d` in small steps; false when the server is stopping.
fn pause(d: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + d;
    while Instant::now() < until {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10).min(d));
    }
    true
}

/// Holds the connection open (reading and discarding) until the peer closes, the server
/// stops, or the connection lifetime ends.
fn hold(s: &mut TcpStream, stop: &AtomicBool) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(100)));
    let started = Instant::now();
    let mut sink = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) && started.elapsed() < CONNECTION_LIFETIME {
        match s.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            Err(_) => return,
        }
    }
}

fn serve(p: &Prepared, mut s: TcpStream, c: &Counters, stop: &AtomicBool) {
    if let Fault::CloseAfterFirstBytes = p.fault {
        let mut first = [0u8; 512];
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = s.read(&mut first);
        return;
    }
    if let Fault::Silent = p.fault {
        // A request may or may not come; count it as in flight until the client gives up.
        c.enter();
        hold(&mut s, stop);
        c.leave();
        return;
    }
    // Bounded: every iteration reads one request; the connection ends on EOF, error or stop.
    while let Some(req) = read_request(&mut s, stop) {
        c.enter();
        // A request stops counting as in flight once its answer starts: the client may
        // finish and send the next check's request before this thread gets to run again.
        let left = std::cell::Cell::new(false);
        let done = || {
            if !left.replace(true) {
                c.leave();
            }
        };
        let keep = answer(p, &mut s, &req, stop, &done);
        done();
        if !keep {
            return;
        }
    }
}

/// Answers one request; whether the connection may serve another.
fn answer(
    p: &Prepared,
    s: &mut TcpStream,
    req: &str,
    stop: &AtomicBool,
    answering: &dyn Fn(),
) -> bool {
    let path = req.split_whitespace().nth(1).unwrap_or("/").to_owned();
    match &p.fault {
        Fault::Ok | Fault::Slow(_) => {
            if let Fault::Slow(d) = p.fault
                && !pause(d, stop)
            {
                return false;
            }
            let body = "{\"status\":\"ok\"}";
            answering();
            write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .is_ok()
        }
        Fault::ResetMidHeaders => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: appl");
            let _ = s.flush();
            std::thread::sleep(Duration::from_millis(50));
            if let Ok(clone) = s.try_clone() {
                reset(clone);
            }
            false
        }
        Fault::ResetMidBody => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n");
            let _ = s.write_all(&[b'x'; 100]);
            let _ = s.flush();
            std::thread::sleep(Duration::from_millis(50));
            if let Ok(clone) = s.try_clone() {
                reset(clone);
            }
            false
        }
        Fault::DripHeaders(every) => {
            let head =
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok";
            for b in head {
                if s.write_all(&[*b]).is_err() || !pause(*every, stop) {
                    return false;
                }
            }
            false
        }
        Fault::DripBody(every) => {
            if s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n")
                .is_err()
            {
                return false;
            }
            // Bounded: ends when the client closes, the server stops, or 1,000,000 bytes.
            for _ in 0..1_000_000 {
                if s.write_all(b"x").is_err() || !pause(*every, stop) {
                    break;
                }
            }
            false
        }
        Fault::HugeContentLength => {
            if s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10737418240\r\n\r\n")
                .is_err()
            {
                return false;
            }
            let block = [b'x'; 1024];
            // Bounded: at most CONNECTION_LIFETIME / 100 ms iterations.
            while s.write_all(&block).is_ok() && pause(Duration::from_millis(100), stop) {}
            false
        }
        Fault::EndlessChunked => {
            if s.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                .is_err()
            {
                return false;
            }
            let mut chunk = b"2000\r\n".to_vec();
            chunk.extend_from_slice(&[b'y'; 0x2000]);
            chunk.extend_from_slice(b"\r\n");
            let started = Instant::now();
            // Bounded: ends when the client closes, the server stops, or the lifetime ends.
            while !stop.load(Ordering::Relaxed) && started.elapsed() < CONNECTION_LIFETIME {
                if s.write_all(&chunk).is_err() {
                    break;
                }
            }
            false
        }
        Fault::HugeHeaderLine => {
            let mut head = b"HTTP/1.1 200 OK\r\nx-huge: ".to_vec();
            head.extend(std::iter::repeat_n(b'h', 1 << 20));
            head.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\nok");
            let _ = s.write_all(&head);
            hold(s, stop);
            false
        }
        Fault::ManyHeaders => {
            let mut head = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..10_000 {
                head.push_str(&format!("x-h{i}: v\r\n"));
            }
            head.push_str("content-length: 2\r\n\r\nok");
            let _ = s.write_all(head.as_bytes());
            hold(s, stop);
            false
        }
        Fault::InvalidStatusLine => {
            let _ = s.write_all(b"HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\nok");
            hold(s, stop);
            false
        }
        Fault::Http09Garbage => {
            let _ = s.write_all(b"<html>hello from 1991\x00\x01\xff</html>\n");
            false
        }
        Fault::RedirectLoop => write!(
            s,
            "HTTP/1.1 302 Found\r\nlocation: {path}\r\ncontent-length: 0\r\n\r\n"
        )
        .is_ok(),
        Fault::GzipBomb { .. } => {
            let ok = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\n\r\n",
                p.bomb.len()
            )
            .is_ok();
            ok && s.write_all(&p.bomb).is_ok()
        }
        Fault::Echo => echo(s, req, &path),
        Fault::Silent | Fault::CloseAfterFirstBytes => false,
    }
}

/// The request echoed into every part of a response.
fn echo(s: &mut TcpStream, req: &str, path: &str) -> bool {
    let flat: String = req
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let header_safe: String = flat.chars().filter(|c| c.is_ascii()).collect();
    let json = format!(
        "{{\"echo\":{}}}",
        json_string(req) // the JSON body carries the raw request
    );
    let (status, body, ctype) = if path.starts_with("/login") {
        (
            "200 OK",
            format!("{{\"access_token\":\"{ISSUED_TOKEN}\"}}"),
            "application/json",
        )
    } else if path.starts_with("/binary") {
        let mut bin = String::from("\u{0}\u{1}\u{2}BIN");
        bin.push_str(req);
        ("200 OK", bin, "application/octet-stream")
    } else if path.starts_with("/error") {
        (
            "500 Internal Server Error",
            format!("<html><body><h1>error</h1><pre>{flat}</pre></body></html>"),
            "text/html",
        )
    } else {
        ("200 OK", json, "application/json")
    };
    let location = if path.starts_with("/redirect") {
        format!("location: /landed?echo={}\r\n", url_safe(&header_safe))
    } else {
        String::new()
    };
    let status = if location.is_empty() {
        status
    } else {
        "302 Found"
    };
    write!(
        s,
        "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\nx-echo: {header_safe}\r\nset-cookie: echo={}; Path=/\r\n{location}content-length: {}\r\n\r\n{body}",
        url_safe(&header_safe),
        body.len()
    )
    .is_ok()
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Keeps the characters a URL or cookie value may carry as they are; anything else becomes `_`.
fn url_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-._~:/?=&%+@!$'()*,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}
