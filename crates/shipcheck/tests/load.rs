//! `shipcheck load` end to end: counts and status classes against a real nginx, a rate
//! the server cannot take failing with "rate not achieved", shards merged by `load merge`,
//! and the refusal of a non-loopback target.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_test_support::{Listen, Nginx};
use support::shipcheck;

fn nginx() -> Option<Nginx> {
    let builder = Nginx::builder().file("www/index.html", "hello from nginx\n");
    let root = builder.dir().join("www").display().to_string();
    builder
        .server(
            Listen::Http,
            format!(
                "root {root};\n keepalive_requests 100000;\n location = /missing {{ return 404; }}\n location / {{ try_files $uri /index.html; }}"
            ),
        )
        .start()
}

/// The report's load check as JSON.
fn check(stdout: &[u8]) -> Value {
    let report: Value = serde_json::from_slice(stdout).unwrap();
    report["checks"][0].clone()
}

fn measurement(c: &Value, name: &str) -> f64 {
    c["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no measurement {name}: {c}"))["value"]
        .as_f64()
        .unwrap()
}

#[test]
fn counts_and_status_classes_against_nginx() {
    let Some(nginx) = nginx() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/index.html", nginx.url());
    let out = shipcheck(
        &[
            "load",
            &url,
            "-c",
            "8",
            "-n",
            "3000",
            "--format",
            "json",
            "--no-report",
            "-e",
            "p99<1s",
            "-e",
            "rps>=100",
        ],
        &[],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = check(&out.stdout);
    assert_eq!(c["status"], "passed", "{c}");
    assert_eq!(measurement(&c, "requests"), 3000.0);
    assert_eq!(measurement(&c, "responses_2xx"), 3000.0);
    assert_eq!(measurement(&c, "error_rate"), 0.0);
    assert!(measurement(&c, "p50") > 0.0);
    assert!(
        c["series"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "requests per second")
    );

    // 404s count as failed requests: the implied error rate under 1% fails.
    let missing = format!("{}/missing", nginx.url());
    let out = shipcheck(
        &[
            "load",
            &missing,
            "-c",
            "2",
            "-n",
            "200",
            "--format",
            "json",
            "--no-report",
        ],
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let c = check(&out.stdout);
    assert_eq!(measurement(&c, "responses_4xx"), 200.0);
    assert_eq!(measurement(&c, "error_rate"), 1.0);
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.contains("error rate") && reason.contains("200 4xx"),
        "{reason}"
    );
}

/// A one-connection-at-a-time server that answers after 20 ms: at most ~50 req/s per
/// connection. Accepts for at most 30 s.
fn slow_server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            let Ok((mut s, _)) = l.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            std::thread::spawn(move || {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 2048];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/")
}

#[test]
fn a_rate_the_server_cannot_answer_fails_with_the_achieved_figure() {
    let url = slow_server();
    let dir = tempfile::tempdir().unwrap();
    let out = shipcheck(
        &[
            "load", &url, "--rate", "300/s", "-d", "1s", "-c", "2", "--output", "out", "-e",
            "p99<5s",
        ],
        &[],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("rate not achieved"), "{stdout}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    let c = &report["checks"][0];
    let achieved = measurement(c, "rate_achieved");
    assert!(achieved < 0.6, "{achieved}");
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("rate achieved: expected at_least >= 99%"),
        "{reason}"
    );
    assert!(reason.contains("of 300 due requests answered"), "{reason}");
    assert!(reason.contains("req/s of 300.0 req/s asked"), "{reason}");
}

#[test]
fn four_shards_merge_into_one_result() {
    let Some(nginx) = nginx() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}/index.html", nginx.url());
    // The four shards run at the same time, as four pods of an Indexed Job would.
    let children: Vec<_> = (0..4)
        .map(|i| {
            let shard = format!("{i}/4");
            let save = format!("shard-{i}.json");
            std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
                .args([
                    "load",
                    &url,
                    "--rate",
                    "400/s",
                    "-d",
                    "1s",
                    "-c",
                    "8",
                    "--threads",
                    "1",
                    "--shard",
                    &shard,
                    "--save",
                    &save,
                    "-q",
                    "--no-report",
                    "--format",
                    "json",
                ])
                .current_dir(dir.path())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let whole = shipcheck(
        &[
            "load",
            &url,
            "--rate",
            "400/s",
            "-d",
            "1s",
            "-c",
            "8",
            "--threads",
            "1",
            "--format",
            "json",
            "--no-report",
        ],
        &[],
        dir.path(),
    );
    let merged = shipcheck(
        &[
            "load",
            "merge",
            "shard-0.json",
            "shard-1.json",
            "shard-2.json",
            "shard-3.json",
            "--format",
            "json",
            "--no-report",
            "-e",
            "p99<1s",
        ],
        &[],
        dir.path(),
    );
    assert_eq!(
        merged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&merged.stdout)
    );
    let (m, w) = (check(&merged.stdout), check(&whole.stdout));
    // Due requests follow from the schedule alone: exactly the same.
    assert_eq!(measurement(&m, "scheduled"), 400.0);
    assert_eq!(measurement(&w, "scheduled"), 400.0);
    // Answered ones depend on the (shared, noisy) machine: all or nearly all, no errors.
    for c in [&m, &w] {
        let requests = measurement(c, "requests");
        assert!(requests >= 396.0, "{requests}");
        assert_eq!(measurement(c, "responses_2xx"), requests);
    }
    // The implied open-model expectation is judged on the merged result too.
    let subjects: Vec<&str> = m["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["subject"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&"rate achieved"), "{subjects:?}");
    // Latency figures of two runs of the same load on loopback: the same order of size.
    let (a, b) = (measurement(&m, "p50"), measurement(&w, "p50"));
    assert!(a < 50.0 && b < 50.0, "p50 merged {a} ms, one run {b} ms");
}

#[test]
fn a_non_loopback_target_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let out = shipcheck(
        &["load", "http://192.0.2.1:8080/", "-d", "1s"],
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to send load to `192.0.2.1`"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-target 192.0.2.1"), "{stderr}");
    assert!(t0.elapsed() < Duration::from_secs(5));
    // In a plan, the check errors with the same message and nothing is sent.
    std::fs::write(
        dir.path().join("plan.yaml"),
        "name: t\nchecks:\n  - id: l\n    load: { url: \"http://192.0.2.1:8080/\", duration: 1s }\n",
    )
    .unwrap();
    let out = shipcheck(
        &["verify", "plan.yaml", "--format", "json", "--no-report"],
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let c = check(&out.stdout);
    assert_eq!(c["status"], "error");
    assert!(
        c["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refusing to send load"),
        "{c}"
    );
}
