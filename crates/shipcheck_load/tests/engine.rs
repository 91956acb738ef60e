//! The engine against loopback servers the tests start: coordinated omission (a server
//! that stalls 1 s every 5 s), a rate the server cannot take, shards that add up.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shipcheck_load::{Config, LoadResult, Model, Schedule, Shard, check_target, run};

/// A thread-per-connection HTTP/1.1 server on 127.0.0.1: answers `ok` after `delay`, and
/// holds every answer due in `[stall_from, stall_from + 1 s)` of each 5 s period until
/// that second is over. Stops when dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(delay: Duration, stall: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let t0 = Instant::now();
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((s, _)) => {
                        let flag = Arc::clone(&flag);
                        std::thread::spawn(move || serve(s, t0, delay, stall, &flag));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server { addr, stop }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(mut s: TcpStream, t0: Instant, delay: Duration, stall: bool, stop: &AtomicBool) {
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    s.set_nodelay(true).unwrap();
    let mut buf = [0u8; 4096];
    let mut have = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let n = match s.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                continue;
            }
            Err(_) => return,
        };
        have.extend_from_slice(&buf[..n]);
        while let Some(end) = have.windows(4).position(|w| w == b"\r\n\r\n") {
            have.drain(..end + 4);
            if stall {
                let phase = t0.elapsed().as_millis() % 5000;
                if (1000..2000).contains(&phase) {
                    std::thread::sleep(Duration::from_millis((2000 - phase) as u64));
                }
            }
            if !delay.is_zero() {
                std::thread::sleep(delay);
            }
            if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .is_err()
            {
                return;
            }
        }
    }
}

fn config(url: &str, model: Model, connections: usize) -> Config {
    Config {
        target: check_target(url, &[]).unwrap(),
        method: "GET".into(),
        headers: Vec::new(),
        body: Vec::new(),
        model,
        connections,
        threads: 2,
        duration: None,
        requests: None,
        timeout: Duration::from_secs(5),
        shard: Shard::default(),
    }
}

fn go(cfg: &Config) -> LoadResult {
    run(cfg, Arc::new(AtomicBool::new(false))).unwrap()
}

#[test]
fn the_open_model_sees_a_stall_that_the_closed_model_hides() {
    // Open model, 100 req/s for 3 s: the server stalls during [1 s, 2 s).
    let server = Server::start(Duration::ZERO, true);
    let open = go(&config(
        &server.url(),
        Model::Open(Schedule::constant(100.0, Duration::from_secs(3))),
        32,
    ));
    drop(server);
    let open_p99 = open.quantile_ms(0.99).unwrap();
    assert!(
        open_p99 >= 500.0,
        "open-model p99 {open_p99} ms should show the 1 s stall"
    );
    assert_eq!(open.scheduled, 300);
    assert!(
        open.rate_achieved().unwrap() >= 0.99,
        "{:?}",
        open.rate_achieved()
    );

    // Closed model, 4 connections for 3 s against a fresh server with the same stall.
    let server = Server::start(Duration::ZERO, true);
    let mut cfg = config(&server.url(), Model::Closed, 4);
    cfg.duration = Some(Duration::from_secs(3));
    let closed = go(&cfg);
    let closed_p99 = closed.quantile_ms(0.99).unwrap();
    let closed_max = closed.max_ms().unwrap();
    assert!(
        closed_max >= 500.0,
        "the closed run met the stall too (max {closed_max} ms)"
    );
    assert!(
        closed_p99 < open_p99 / 5.0,
        "closed-model p99 {closed_p99} ms hides the stall that the open model shows ({open_p99} ms)"
    );
    assert!(closed.requests() > 1000, "{}", closed.requests());
    eprintln!(
        "stall every 5 s: open model p99 {open_p99} ms over {} requests; closed model p99 {closed_p99} ms (max {closed_max} ms) over {} requests",
        open.requests(),
        closed.requests()
    );
    // The timeline has the seconds of the run, the stall second among them.
    assert!(open.timeline.len() >= 3, "{:?}", open.timeline);
    assert!(
        open.timeline.iter().any(|s| s.p99_ms >= 500.0),
        "{:?}",
        open.timeline
    );
}

#[test]
fn a_rate_the_server_cannot_answer_is_not_achieved() {
    // 2 connections × 20 ms per answer: at most ~100 req/s; 400 asked.
    let server = Server::start(Duration::from_millis(20), false);
    let r = go(&config(
        &server.url(),
        Model::Open(Schedule::constant(400.0, Duration::from_secs(1))),
        2,
    ));
    let achieved = r.rate_achieved().unwrap();
    assert!(achieved < 0.5, "achieved {achieved}");
    assert_eq!(r.scheduled, 400);
    assert!(r.status.s2xx > 20, "{:?}", r.status);
}

#[test]
fn four_shards_add_up_to_one_run() {
    let server = Server::start(Duration::ZERO, false);
    let url = server.url();
    let mut whole = config(
        &url,
        Model::Open(Schedule::constant(400.0, Duration::from_secs(1))),
        8,
    );
    whole.threads = 1;
    let one = go(&whole);
    let shards: Vec<LoadResult> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4u32)
            .map(|i| {
                let mut cfg = whole.clone();
                cfg.shard = Shard { index: i, count: 4 };
                s.spawn(move || {
                    let r = go(&cfg);
                    LoadResult::from_json(&r.to_json().unwrap()).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(shards.iter().map(|s| s.scheduled).sum::<u64>(), 400);
    let merged = LoadResult::merge(shards).unwrap();
    assert_eq!(merged.scheduled, one.scheduled);
    assert_eq!(merged.status, one.status);
    assert_eq!(merged.requests(), 400);
    assert_eq!(merged.rate, Some(400.0));
    assert_eq!(merged.connections, 8);
    assert_eq!(merged.histogram.len(), one.histogram.len());
    // Same server, same schedule: the medians agree to within a few milliseconds.
    let (a, b) = (
        merged.quantile_ms(0.5).unwrap(),
        one.quantile_ms(0.5).unwrap(),
    );
    assert!((a - b).abs() < 5.0, "merged p50 {a} vs one run {b}");
}

#[test]
fn a_request_count_bounds_the_closed_model_exactly() {
    let server = Server::start(Duration::ZERO, false);
    let mut cfg = config(&server.url(), Model::Closed, 6);
    cfg.requests = Some(1001);
    let r = go(&cfg);
    assert_eq!(r.requests(), 1001);
    assert_eq!(r.sent, 1001);
    assert_eq!(r.status.s2xx, 1001);
    assert_eq!(r.error_rate(), 0.0);
}

#[test]
fn a_closed_port_is_a_connect_error() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = config(&format!("http://127.0.0.1:{port}/"), Model::Closed, 2);
    cfg.duration = Some(Duration::from_millis(300));
    let e = run(&cfg, Arc::new(AtomicBool::new(false))).unwrap_err();
    assert!(e.to_string().contains("cannot connect to 127.0.0.1"), "{e}");
}
