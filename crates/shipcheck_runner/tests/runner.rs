//! The scheduler against a tiny HTTP server on loopback: polling, retries, the
//! concurrency bound, dependencies, cancellation and the global timeout.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use shipcheck_report::Status;
use shipcheck_runner::{Cancel, RunEventKind, RunOptions, execute};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that answers 503 to the first `fail_first` requests, then 200 `{"status":"ok"}`,
/// after `delay`; it counts requests and the most requests in flight at once. `silent`
/// makes it accept and never answer.
#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

async fn server(fail_first: usize, delay: Duration, silent: bool) -> (String, Arc<Stats>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stats = Arc::new(Stats::default());
    let s = Arc::clone(&stats);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                if silent {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let n = s.requests.fetch_add(1, Ordering::SeqCst);
                let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                s.max_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                s.in_flight.fetch_sub(1, Ordering::SeqCst);
                let (status, body) = if n < fail_first {
                    ("503 Service Unavailable", "{\"status\":\"down\"}")
                } else {
                    ("200 OK", "{\"status\":\"ok\"}")
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (url, stats)
}

fn plan(yaml: &str, url: &str) -> shipcheck_plan::Plan {
    let url = url.to_owned();
    let env = move |name: &str| (name == "URL").then(|| url.clone());
    shipcheck_plan::load_str(yaml, Path::new("plan.yaml"), &env, shipcheck_probe::KINDS)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn until_polls_until_the_expectations_hold_and_records_every_attempt() {
    let (url, stats) = server(3, Duration::ZERO, false).await;
    let p = plan(
        "name: t\nchecks:\n  - id: ready\n    until: { within: 5s, every: 20ms }\n    http: { get: \"${URL}/\" }\n    expect: { status: 200 }\n",
        &url,
    );
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    let c = &out.checks[0];
    assert_eq!(c.status, Status::Passed);
    assert_eq!(c.attempts.len(), 4);
    assert_eq!(stats.requests.load(Ordering::SeqCst), 4);
    assert!(c.attempts[..3].iter().all(|a| a.status == Status::Failed));
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit() {
    let (url, stats) = server(usize::MAX, Duration::ZERO, false).await;
    let p = plan(
        "name: t\nchecks:\n  - id: down\n    retry: { attempts: 3, delay: 10ms }\n    http: { get: \"${URL}/\" }\n    expect: { status: 200 }\n  - id: after\n    needs: [down]\n    http: { get: \"${URL}/\" }\n",
        &url,
    );
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    assert_eq!(out.checks[0].status, Status::Failed);
    assert_eq!(out.checks[0].attempts.len(), 3);
    assert_eq!(stats.requests.load(Ordering::SeqCst), 3);
    assert_eq!(out.checks[1].status, Status::NotRun);
    assert_eq!(
        out.checks[1].reason.as_deref(),
        Some("not run because `down` failed")
    );
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let (url, stats) = server(0, Duration::from_millis(100), false).await;
    let mut yaml = String::from("name: t\nchecks:\n");
    for i in 0..6 {
        yaml.push_str(&format!(
            "  - id: c{i}\n    http: {{ get: \"${{URL}}/{i}\" }}\n    expect: {{ status: 200 }}\n"
        ));
    }
    let p = plan(&yaml, &url);
    let opts = RunOptions {
        concurrency: Some(2),
        ..RunOptions::default()
    };
    let out = execute(&p, &opts, &Cancel::default(), |_| {}).await;
    assert!(out.checks.iter().all(|c| c.status == Status::Passed));
    assert_eq!(stats.max_in_flight.load(Ordering::SeqCst), 2);
    let (url, stats) = server(0, Duration::from_millis(100), false).await;
    let p = plan(&yaml, &url);
    let opts = RunOptions {
        concurrency: Some(8),
        ..RunOptions::default()
    };
    execute(&p, &opts, &Cancel::default(), |_| {}).await;
    assert_eq!(
        stats.max_in_flight.load(Ordering::SeqCst),
        6,
        "independent checks run at once"
    );
}

#[tokio::test]
async fn cancellation_marks_running_and_pending_checks_not_run() {
    let (url, _) = server(0, Duration::ZERO, true).await;
    let p = plan(
        "name: t\nchecks:\n  - id: hangs\n    timeout: 20s\n    http: { get: \"${URL}/\" }\n  - id: later\n    needs: [hangs]\n    http: { get: \"${URL}/\" }\n",
        &url,
    );
    let cancel = Cancel::default();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        trigger.cancel("interrupted by Ctrl-C");
    });
    let mut kinds = Vec::new();
    let out = execute(&p, &RunOptions::default(), &cancel, |ev| {
        kinds.push(ev.kind)
    })
    .await;
    assert_eq!(out.interrupted.as_deref(), Some("interrupted by Ctrl-C"));
    assert!(out.duration < Duration::from_secs(10));
    assert_eq!(out.checks[0].status, Status::NotRun);
    assert!(
        out.checks[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("interrupted while running")
    );
    assert_eq!(out.checks[1].status, Status::NotRun);
    assert!(matches!(
        kinds.first(),
        Some(RunEventKind::PlanStarted { total: 2 })
    ));
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, RunEventKind::PlanCancelled { .. }))
    );
    assert!(matches!(kinds.last(), Some(RunEventKind::PlanFinished)));
}

#[tokio::test]
async fn the_global_timeout_bounds_the_run() {
    let (url, _) = server(0, Duration::ZERO, true).await;
    let p = plan(
        "name: t\nchecks:\n  - id: hangs\n    timeout: 20s\n    http: { get: \"${URL}/\" }\n",
        &url,
    );
    let opts = RunOptions {
        timeout: Duration::from_millis(300),
        ..RunOptions::default()
    };
    let out = execute(&p, &opts, &Cancel::default(), |_| {}).await;
    assert!(
        out.interrupted
            .as_deref()
            .unwrap()
            .contains("global timeout of 300ms"),
        "{:?}",
        out.interrupted
    );
    assert_eq!(out.checks[0].status, Status::NotRun);
}

#[tokio::test]
async fn secret_captures_are_redacted_in_results_and_events() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                // Echo the Authorization header back in the body, as a careless server might.
                let auth = req
                    .lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
                    .unwrap_or("")
                    .to_owned();
                let body = format!("{{\"token\":\"tk-0123456789abcdef\",\"echo\":\"{auth}\"}}");
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    let p = plan(
        "name: t\nchecks:\n  - id: login\n    http: { get: \"${URL}/login\" }\n    capture: { token: { jsonpath: \"$.token\", secret: true } }\n  - id: use\n    needs: [login]\n    http: { get: \"${URL}/x\", headers: { Authorization: \"Bearer {{ token }}\" } }\n    expect: { status: 500 }\n",
        &url,
    );
    let mut events = Vec::new();
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |ev| {
        events.push(format!("{ev:?}"))
    })
    .await;
    assert_eq!(out.checks[1].status, Status::Failed);
    let everything = format!("{:?}{}", out.checks, events.join(""));
    assert!(
        !everything.contains("tk-0123456789abcdef"),
        "secret capture leaked"
    );
    assert!(everything.contains("[REDACTED]"));
}
