//! Limits under load: 2,000 checks against one server, 200 checks that all hang — the
//! concurrency limit holds at the server, the global `--timeout` holds, memory stays
//! bounded, and Ctrl-C (SIGINT) still writes the report.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use shipcheck_test_support::faults::{Fault, FaultServer};
use shipcheck_test_support::measure::{self, Measured};

/// Peak RSS a 2,000-check run may reach (MiB).
const LOAD_RSS_BOUND_MIB: f64 = 256.0;

fn plan(n: usize, url: &str, timeout: &str) -> String {
    let mut s = format!("name: load {n}\ndefaults: {{ timeout: {timeout} }}\nchecks:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  - id: c{i}\n    http: {{ get: \"{url}/c{i}\" }}\n    expect: {{ status: 200 }}\n"
        ));
    }
    s
}

fn run(dir: &Path, text: &str, args: &[&str], sigint_after: Option<Duration>) -> (Measured, Value) {
    let p = dir.join("plan.yaml");
    std::fs::write(&p, text).unwrap();
    let out = dir.join("out");
    let mut all = vec![
        "verify",
        p.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--color",
        "never",
        "-q",
    ];
    all.extend_from_slice(args);
    let m = measure::run(
        Path::new(env!("CARGO_BIN_EXE_shipcheck")),
        &all,
        &[],
        Duration::from_secs(60),
        sigint_after,
    );
    assert!(!m.killed, "killed at the limit");
    let text = std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}); exit {:?}\n{}",
            m.output.status.code(),
            String::from_utf8_lossy(&m.output.stderr)
        )
    });
    (m, serde_json::from_str(&text).unwrap())
}

/// Client connections to 127.0.0.1:`port` in state ESTABLISHED, from `/proc/net/tcp` (a
/// client socket leaves that state the moment shipcheck closes it, so this is not skewed by
/// how soon the server's threads notice).
fn established_to(port: u16) -> usize {
    let want = format!(":{port:04X}");
    std::fs::read_to_string("/proc/net/tcp")
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[2].ends_with(&want) && f[3] == "01"
        })
        .count()
}

/// Samples [`established_to`] every 2 ms until `stop`; the most seen.
fn sample_connections(
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut most = 0;
        let started = std::time::Instant::now();
        // Bounded: the caller stops it after one run (itself at most 60 s).
        while !stop.load(std::sync::atomic::Ordering::Relaxed)
            && started.elapsed() < Duration::from_secs(90)
        {
            most = most.max(established_to(port));
            std::thread::sleep(Duration::from_millis(2));
        }
        most
    })
}

/// The most checks whose run (`started_ms` … + `duration_ms`) overlaps, from the report.
fn most_checks_at_once(report: &Value) -> usize {
    let mut edges: Vec<(f64, i32)> = Vec::new();
    for c in report["checks"].as_array().unwrap() {
        if let (Some(s), Some(d)) = (c["started_ms"].as_f64(), c["duration_ms"].as_f64()) {
            edges.push((s, 1));
            edges.push((s + d, -1));
        }
    }
    // Ends before starts at the same instant: a check that ends as another starts is not
    // running alongside it.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0i32, 0i32);
    for (_, e) in edges {
        now += e;
        most = most.max(now);
    }
    most as usize
}

fn count(report: &Value, status: &str) -> usize {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == status)
        .count()
}

fn row(case: &str, m: &Measured, report: &Value, in_flight: usize, bound: &str) {
    println!(
        "| {case} | {} passed, {} error, {} not-run | max in flight {in_flight} | {:.2} s | {:.1} MiB | {bound} |",
        count(report, "passed"),
        count(report, "error"),
        count(report, "not-run"),
        m.wall.as_secs_f64(),
        m.peak_rss_kib as f64 / 1024.0
    );
}

#[test]
fn two_thousand_checks_hold_the_concurrency_limit() {
    if !crate::can_measure() {
        return;
    }
    // Each answer takes 20 ms, so 16 checks at once are in flight together.
    let server = FaultServer::start(Fault::Slow(Duration::from_millis(20)));
    let dir = tempfile::tempdir().unwrap();
    let (m, report) = run(
        dir.path(),
        &plan(2000, &server.url(), "5s"),
        &["--concurrency", "16"],
        None,
    );
    row(
        "2,000 checks (20 ms each), --concurrency 16",
        &m,
        &report,
        server.max_in_flight(),
        "≤ 16 in flight",
    );
    assert_eq!(
        count(&report, "passed"),
        2000,
        "{}",
        String::from_utf8_lossy(&m.output.stderr)
    );
    assert_eq!(server.requests(), 2000);
    assert!(
        server.max_in_flight() <= 16,
        "{} in flight",
        server.max_in_flight()
    );
    assert!(
        server.max_in_flight() >= 8,
        "the checks did run concurrently: {}",
        server.max_in_flight()
    );
    let rss = m.peak_rss_kib as f64 / 1024.0;
    assert!(rss <= LOAD_RSS_BOUND_MIB, "peak RSS {rss:.1} MiB");
    assert!(m.wall < Duration::from_secs(45), "took {:?}", m.wall);
}

#[test]
fn two_hundred_hanging_checks_stop_at_the_global_timeout() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::Silent);
    let dir = tempfile::tempdir().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = sample_connections(server.addr.port(), stop.clone());
    // 200 checks × 1 s at 25 at once would take 8 s; the global timeout stops it at 2.5 s.
    let (m, report) = run(
        dir.path(),
        &plan(200, &server.url(), "1s"),
        &["--concurrency", "25", "--timeout", "2500ms"],
        None,
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let open = sampler.join().unwrap();
    row(
        "200 hanging checks, --concurrency 25, --timeout 2.5s",
        &m,
        &report,
        open,
        "≤ 25 checks and sockets at once, ≤ 2.5 s + 0.5 s (8 s without the global timeout)",
    );
    let checks = most_checks_at_once(&report);
    println!(
        "  (checks running at once per the report: {checks}; connections the server's threads counted: {}; client sockets ESTABLISHED, sampled every 2 ms: {open})",
        server.max_in_flight()
    );
    // The runner never has more than 25 checks in flight, and a timed-out check's socket
    // is closed before its result is in, so never more sockets than checks either.
    assert!(checks <= 25, "{checks} checks in flight at once");
    assert!(checks >= 20, "the checks did run concurrently: {checks}");
    assert!(open <= 25, "{open} connections open at once");
    // The global timeout covers the report too (checks are cut 250 ms before it); what may
    // go over is process start and exit under GNU time on a loaded machine.
    assert!(m.wall <= Duration::from_millis(3000), "took {:?}", m.wall);
    assert_eq!(report["run"]["interrupted"], true, "{}", report["run"]);
    assert_eq!(count(&report, "passed"), 0);
    assert!(
        count(&report, "not-run") > 0,
        "the global timeout left checks unrun"
    );
    assert!(count(&report, "error") >= 25, "the first wave timed out");
    let rss = m.peak_rss_kib as f64 / 1024.0;
    assert!(rss <= LOAD_RSS_BOUND_MIB, "peak RSS {rss:.1} MiB");
}

#[test]
fn ctrl_c_writes_the_report() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::Silent);
    let dir = tempfile::tempdir().unwrap();
    let (m, report) = run(
        dir.path(),
        &plan(200, &server.url(), "30s"),
        &["--concurrency", "50"],
        Some(Duration::from_secs(1)),
    );
    row(
        "200 hanging checks, SIGINT after 1 s",
        &m,
        &report,
        server.max_in_flight(),
        "report written, ≤ 1 s + 2 s",
    );
    assert!(m.wall <= Duration::from_secs(3), "took {:?}", m.wall);
    assert_eq!(report["checks"].as_array().unwrap().len(), 200);
    assert_eq!(count(&report, "passed"), 0);
    assert!(
        server.max_in_flight() <= 50,
        "{} in flight",
        server.max_in_flight()
    );
    assert_ne!(m.output.status.code(), Some(0));
}
