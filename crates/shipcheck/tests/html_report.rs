//! `report.html` in a real headless Chromium: the page of a run with failures, lint
//! findings and time series (a load-style throughput timeline and a drill-style up/down
//! probe timeline) renders with no console message, its charts are in the DOM after its
//! script ran, a screenshot is taken, and the page made no network request: every request
//! goes to a proxy the test runs, which records each request's host. Chromium's own
//! background traffic to Google's update and account services (which it sends even with
//! `--disable-background-networking`) is told apart by host and not counted.
//!
//! The page comes from a real `shipcheck demo --scenario schema-drift` run. The two time
//! series are fixtures added to its `report.json` (re-rendered with `shipcheck report`),
//! since this test is about the HTML renderer, not the load or drill probes.

#![allow(clippy::unwrap_used)]

use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

fn shipcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_shipcheck"))
}

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Hosts Chromium itself talks to (updates, time, accounts), not the page.
const BROWSER_HOSTS: [&str; 4] = ["google.com", "googleapis.com", "gvt1.com", "gstatic.com"];

/// The host a proxy request names: `CONNECT host:443` or `GET http://host/…`.
fn request_host(first_line: &str) -> String {
    let target = first_line.split_whitespace().nth(1).unwrap_or("");
    let target = target.split("://").nth(1).unwrap_or(target);
    let authority = target.split('/').next().unwrap_or("");
    authority
        .rsplit_once(':')
        .map_or(authority, |(h, _)| h)
        .to_owned()
}

fn is_browser_host(host: &str) -> bool {
    BROWSER_HOSTS
        .iter()
        .any(|b| host == *b || host.ends_with(&format!(".{b}")))
}

/// A proxy that accepts connections, records the host each asks for (and answers
/// nothing) until dropped; requests to [`BROWSER_HOSTS`] are not counted.
struct CountingProxy {
    port: u16,
    seen: Arc<AtomicUsize>,
    stop: Arc<AtomicUsize>,
}

impl CountingProxy {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicUsize::new(0));
        let (s, st) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(120);
            while st.load(Ordering::SeqCst) == 0 && Instant::now() < until {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        let _ = conn.set_nonblocking(false);
                        let _ = conn.set_read_timeout(Some(Duration::from_millis(500)));
                        let mut buf = [0u8; 1024];
                        let n = conn.read(&mut buf).unwrap_or(0);
                        let text = String::from_utf8_lossy(&buf[..n]);
                        let host = request_host(text.lines().next().unwrap_or(""));
                        if !is_browser_host(&host) {
                            eprintln!("request from the page: {host}");
                            s.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self { port, seen, stop }
    }

    fn connections(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.stop.store(1, Ordering::SeqCst);
    }
}

/// Runs headless Chromium on `page` with `extra` (`--dump-dom`, `--screenshot=…`), every
/// request through `proxy`; returns (stdout, the console lines it logged).
fn browse(
    browser: &Path,
    page: &Path,
    proxy: &CountingProxy,
    extra: &str,
) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("timeout")
        .arg("60")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1100,2600",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "chromium failed: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

/// Adds a throughput timeline and an up/down probe timeline to the first failed check.
fn add_series(report: &mut serde_json::Value) {
    let checks = report["checks"].as_array_mut().unwrap();
    let failed = checks.iter_mut().find(|c| c["status"] == "failed").unwrap();
    let rps: Vec<_> = (0..30)
        .map(|i| json!({ "t_ms": f64::from(i) * 1000.0, "value": 900.0 + f64::from(i % 7) * 15.0 }))
        .collect();
    let up: Vec<_> = (0..500)
        .map(|i| {
            let down = (200..260).contains(&i);
            json!({ "t_ms": f64::from(i) * 10.0, "value": if down { 0.0 } else { 1.0 } })
        })
        .collect();
    failed["series"] = json!([
        { "name": "requests per second", "unit": "count", "points": rps },
        { "name": "probe up", "unit": "count", "points": up },
    ]);
}

#[test]
fn the_html_report_renders_offline_in_chromium_with_its_charts() {
    let Some(browser) = chromium() else {
        shipcheck_test_support::skip_or_fail("chromium (Debian package `chromium`)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let status = shipcheck()
        .args(["demo", "-q", "--scenario", "schema-drift", "--output"])
        .arg(&run)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "schema-drift is not ready");
    assert!(run.join("report.html").is_file(), "demo writes report.html");

    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    add_series(&mut report);
    let with_series = dir.path().join("with-series.json");
    std::fs::write(&with_series, serde_json::to_vec(&report).unwrap()).unwrap();
    let page = dir.path().join("report.html");
    let status = shipcheck()
        .args(["report", "--format", "html", "-o"])
        .arg(&page)
        .arg(&with_series)
        .status()
        .unwrap();
    assert!(status.success());

    let proxy = CountingProxy::start();
    let (dom, console) = browse(&browser, &page, &proxy, "--dump-dom");
    assert!(dom.contains("data-ready=\"1\""), "the page's script ran");
    assert!(
        dom.contains("<svg class=\"chart strip\""),
        "durations per kind"
    );
    assert!(
        dom.contains("<svg class=\"chart series\""),
        "throughput timeline"
    );
    assert!(
        dom.contains("<svg class=\"chart series updown\""),
        "probe timeline"
    );
    assert!(dom.contains("class=\"down\""), "the down stretch is shaded");
    assert!(dom.contains("id=\"check-login\""), "failed check details");
    assert!(
        dom.contains("<pre class=\"finding"),
        "lint findings with frames"
    );

    let shot = std::env::var_os("SHIPCHECK_SCREENSHOT")
        .map_or_else(|| dir.path().join("report.png"), PathBuf::from);
    let (_, console_shot) = browse(
        &browser,
        &page,
        &proxy,
        &format!("--screenshot={}", shot.display()),
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG screenshot");
    assert!(
        png.len() > 20_000,
        "a real page, not a blank one: {} bytes",
        png.len()
    );
    assert!(console.is_empty(), "console messages: {console:?}");
    assert!(
        console_shot.is_empty(),
        "console messages: {console_shot:?}"
    );
    assert_eq!(proxy.connections(), 0, "the page made a network request");
}

/// The two detectors can fail: a page that logs to the console and loads a remote image
/// is caught by both.
#[test]
fn the_console_and_network_detectors_catch_a_page_that_misbehaves() {
    let Some(browser) = chromium() else {
        shipcheck_test_support::skip_or_fail("chromium (Debian package `chromium`)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://shipcheck.invalid/x.png\">\
         <script>console.error('from the page');</script></body></html>",
    )
    .unwrap();
    let proxy = CountingProxy::start();
    let (_, console) = browse(&browser, &page, &proxy, "--dump-dom");
    assert!(
        console.iter().any(|l| l.contains("from the page")),
        "{console:?}"
    );
    let until = Instant::now() + Duration::from_secs(5);
    while proxy.connections() == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        proxy.connections() > 0,
        "the remote image went to the proxy"
    );
}

#[test]
fn proxy_request_hosts_are_read_from_both_request_forms() {
    assert_eq!(
        request_host("CONNECT update.googleapis.com:443 HTTP/1.1"),
        "update.googleapis.com"
    );
    assert_eq!(
        request_host("GET http://shipcheck.invalid/x.png HTTP/1.1"),
        "shipcheck.invalid"
    );
    assert!(is_browser_host("accounts.google.com"));
    assert!(!is_browser_host("notgoogle.com"));
    assert!(!is_browser_host("shipcheck.invalid"));
}
