//! `shipcheck watch` scraped by a real Prometheus on loopback: the series appear, a
//! check's `up` goes to 0 when its target breaks (nginx stops serving the file) and back
//! to 1 when it is fixed; `promtool check metrics` accepts the exposition; SIGTERM ends
//! watch with exit 0.

#![allow(clippy::unwrap_used)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shipcheck_test_support::prometheus::Prometheus;
use shipcheck_test_support::{Listen, Nginx, free_port};

/// A child process killed (by its PID) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `GET path` over HTTP/1.0 (no chunking), the body; `None` when nothing answers.
fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())
}

/// The value Prometheus has for an instant query with one result, e.g. `"1"`.
fn query(prom: u16, q: &str) -> Option<String> {
    let body = get(prom, &format!("/api/v1/query?query={q}"))?;
    let v: serde_json::Value = serde_json::from_str(&body).ok()?;
    let result = v["data"]["result"].as_array()?;
    result.first()?["value"][1].as_str().map(str::to_owned)
}

fn wait_for(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn prometheus_scrapes_watch_and_sees_a_check_go_down_and_up() {
    let builder = Nginx::builder().file("site/health.txt", "ok\n");
    let root = builder.dir().join("site");
    let block = format!("location / {{ root {}; }}", root.display());
    let Some(nginx) = builder.server(Listen::Http, block).start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        format!(
            "name: watched\nchecks:\n  - id: web\n    http: {{ get: \"{}/health.txt\" }}\n",
            nginx.url()
        ),
    )
    .unwrap();
    let metrics_port = free_port();
    let watch = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args(["watch", "--every", "300ms", "--listen"])
        .arg(format!("127.0.0.1:{metrics_port}"))
        .arg(&plan)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut watch = Guard(watch);
    let Some(prometheus) =
        Prometheus::start(&[("shipcheck", vec![format!("127.0.0.1:{metrics_port}")])])
    else {
        return;
    };
    let prom = prometheus.port;

    wait_for("the first run", Duration::from_secs(20), || {
        get(metrics_port, "/metrics").is_some_and(|m| m.contains("shipcheck_check_up{"))
    });
    let exposition = get(metrics_port, "/metrics").unwrap();
    let promtool = Command::new("/usr/bin/promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .output_stdin(&exposition);
    assert!(promtool.status.success(), "promtool: {promtool:?}");

    let up = "shipcheck_check_up%7Bcheck%3D%22web%22%7D";
    wait_for("up=1 in Prometheus", Duration::from_secs(30), || {
        query(prom, up).as_deref() == Some("1")
    });
    for series in [
        "shipcheck_runs_total",
        "shipcheck_run_verdict",
        "shipcheck_check_duration_seconds",
    ] {
        assert!(query(prom, series).is_some(), "{series} scraped");
    }

    std::fs::remove_file(root.join("health.txt")).unwrap();
    wait_for(
        "up=0 after the target broke",
        Duration::from_secs(30),
        || query(prom, up).as_deref() == Some("0"),
    );
    std::fs::write(root.join("health.txt"), "ok\n").unwrap();
    wait_for(
        "up=1 after the target was fixed",
        Duration::from_secs(30),
        || query(prom, up).as_deref() == Some("1"),
    );

    // SIGTERM: the current run finishes, then exit 0.
    let pid = watch.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let until = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = watch.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < until, "watch did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// Feeds `input` to a command's standard input and collects its output.
trait OutputStdin {
    fn output_stdin(&mut self, input: &str) -> std::process::Output;
}

impl OutputStdin for Command {
    fn output_stdin(&mut self, input: &str) -> std::process::Output {
        let mut child = self
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}
