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
    let (m, report) = run(dir.path(), &plan(2000, &server.url(), "5s"), &["--concurrency", "16"], None);
    row("2,000 checks (20 ms each), --concurrency 16", &m, &report, server.max_in_flight(), "≤ 16 in flight");
    assert_eq!(count(&report, "passed"), 2000, "{}", String::from_utf8_lossy(&m.output.stderr));
    assert_eq!(server.requests(), 2000);
    assert!(server.max_in_flight() <= 16, "{} in flight", server.max_in_flight());
    assert!(server.max_in_flight() >= 8, "the checks did run concurrently: {}", server.max_in_flight());
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
    // 200 checks × 1 s at 50 at once would take 4 s; the global timeout stops it at 2.5 s.
    let (m, report) = run(
        dir.path(),
        &plan(200, &server.url(), "1s"),
        &["--concurrency", "50", "--timeout", "2500ms"],
        None,
    );
    row("200 hanging checks, --concurrency 50, --timeout 2.5s", &m, &report, server.max_in_flight(), "≤ 50 in flight, ≤ 2.5 s + 1.5 s");
    assert!(server.max_in_flight() <= 50, "{} in flight", server.max_in_flight());
    assert!(m.wall <= Duration::from_millis(4000), "took {:?}", m.wall);
    assert_eq!(count(&report, "passed"), 0);
    assert!(count(&report, "not-run") > 0, "the global timeout left checks unrun");
    assert!(count(&report, "error") >= 50, "the first wave timed out");
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
    row("200 hanging checks, SIGINT after 1 s", &m, &report, server.max_in_flight(), "report written, ≤ 1 s + 2 s");
    assert!(m.wall <= Duration::from_secs(3), "took {:?}", m.wall);
    assert_eq!(report["checks"].as_array().unwrap().len(), 200);
    assert_eq!(count(&report, "passed"), 0);
    assert!(server.max_in_flight() <= 50, "{} in flight", server.max_in_flight());
    assert_ne!(m.output.status.code(), Some(0));
}
