//! What the runner carries between checks and how it schedules them, against a small HTTP
//! server on loopback: the state of a `needs` chain (a login's cookie), expected values
//! compared with captures, `exclusive: true` and `defaults.concurrency`.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use shipcheck_report::Status;
use shipcheck_runner::{Cancel, RunOptions, execute};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Requests in flight now and at most, per path prefix `/x` (exclusive) and the rest.
#[derive(Default)]
struct Stats {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Requests in flight (others included) while an `/x` request was being answered, at most.
    max_beside_x: AtomicUsize,
}

/// `/login` sets `session=…`; `/me` answers 200 with that cookie, else 401; `/create` and
/// `/item` answer `{"id":42}`, `/other` `{"id":7}`; anything else `{}` after 50 ms.
async fn server() -> (String, Arc<Stats>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stats = Arc::new(Stats::default());
    let s = Arc::clone(&stats);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let s = Arc::clone(&s);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                s.max_in_flight.fetch_max(now, Ordering::SeqCst);
                if path.starts_with("/x") {
                    s.max_beside_x.fetch_max(now, Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                if path.starts_with("/x") {
                    let now = s.in_flight.load(Ordering::SeqCst);
                    s.max_beside_x.fetch_max(now, Ordering::SeqCst);
                }
                s.in_flight.fetch_sub(1, Ordering::SeqCst);
                let has_session = head.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("cookie:")
                        && l.contains("session=s3ss10n-abcdef")
                });
                let (status, extra, body) = match path.as_str() {
                    "/login" => (
                        "200 OK",
                        "set-cookie: session=s3ss10n-abcdef; Path=/\r\n",
                        "{}",
                    ),
                    "/me" if has_session => ("200 OK", "", "{}"),
                    "/me" => ("401 Unauthorized", "", "{}"),
                    "/create" | "/item" => ("200 OK", "", "{\"id\":42}"),
                    "/other" => ("200 OK", "", "{\"id\":7}"),
                    _ => ("200 OK", "", "{}"),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
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

/// Fails before 9.12: each check had no cookies, so `me` got 401.
#[tokio::test]
async fn a_login_cookie_reaches_the_checks_that_need_it_and_no_others() {
    let (url, _) = server().await;
    let p = plan(
        "name: t\nchecks:\n  - id: login\n    http: { get: \"${URL}/login\" }\n  - id: me\n    needs: [login]\n    http: { get: \"${URL}/me\" }\n  - id: stranger\n    needs: [me]\n    http: { get: \"${URL}/me\" }\n  - id: alone\n    http: { get: \"${URL}/me\" }\n    expect: { status: 401 }\n",
        &url,
    );
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    let status: Vec<_> = out
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    assert_eq!(
        status,
        [
            ("login", Status::Passed),
            ("me", Status::Passed),
            ("stranger", Status::Passed),
            ("alone", Status::Passed),
        ],
        "{:#?}",
        out.checks
    );
    // The session cookie is a credential: redacted in the report.
    let text = serde_json::to_string(&out.checks).unwrap();
    assert!(!text.contains("s3ss10n-abcdef"), "{text}");
}

/// Fails before 9.12: `"{{ command_id }}"` was compared literally.
#[tokio::test]
async fn expected_values_compare_with_captures() {
    let (url, _) = server().await;
    let p = plan(
        "name: t\nchecks:\n  - id: create\n    http: { post: \"${URL}/create\" }\n    capture: { command_id: \"$.id\" }\n  - id: same\n    needs: [create]\n    http: { get: \"${URL}/item\" }\n    expect: { json: { \"$.id\": \"{{ command_id }}\" } }\n  - id: different\n    needs: [create]\n    http: { get: \"${URL}/other\" }\n    expect: { json: { \"$.id\": \"{{ command_id }}\" } }\n",
        &url,
    );
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    assert_eq!(out.checks[1].status, Status::Passed, "{:#?}", out.checks[1]);
    assert_eq!(out.checks[2].status, Status::Failed);
    let failed = out.checks[2].assertions.iter().find(|a| !a.passed).unwrap();
    assert_eq!(
        (failed.expected.as_str(), failed.actual.as_str()),
        ("42", "7")
    );
}

/// Fails before 9.13: `exclusive` was an unknown key, and nothing kept checks apart.
#[tokio::test]
async fn an_exclusive_check_runs_with_nothing_else_in_flight() {
    let (url, stats) = server().await;
    let mut yaml = String::from("name: t\nchecks:\n");
    for i in 0..4 {
        yaml.push_str(&format!(
            "  - id: a{i}\n    http: {{ get: \"${{URL}}/a{i}\" }}\n"
        ));
    }
    yaml.push_str("  - id: x\n    exclusive: true\n    http: { get: \"${URL}/x\" }\n");
    for i in 0..4 {
        yaml.push_str(&format!(
            "  - id: b{i}\n    http: {{ get: \"${{URL}}/b{i}\" }}\n"
        ));
    }
    let p = plan(&yaml, &url);
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    assert!(out.checks.iter().all(|c| c.status == Status::Passed));
    assert_eq!(
        stats.max_beside_x.load(Ordering::SeqCst),
        1,
        "alone in flight"
    );
    assert!(
        stats.max_in_flight.load(Ordering::SeqCst) >= 4,
        "the others overlap"
    );
    // The exclusive check started after a0..a3 finished and before b0..b3 started.
    let x = &out.checks[4];
    for c in &out.checks {
        if c.id != "x" {
            let ends = c.started_ms + c.duration_ms;
            assert!(
                ends <= x.started_ms + 1.0 || c.started_ms + 1.0 >= x.started_ms + x.duration_ms,
                "{} overlaps x",
                c.id
            );
        }
    }
}

/// Fails before 9.13: `defaults.concurrency` was an unknown key; the command line wins.
#[tokio::test]
async fn the_plan_sets_concurrency_and_the_command_line_overrides_it() {
    let mut yaml = String::from("name: t\ndefaults: { concurrency: 2 }\nchecks:\n");
    for i in 0..6 {
        yaml.push_str(&format!(
            "  - id: c{i}\n    http: {{ get: \"${{URL}}/c{i}\" }}\n"
        ));
    }
    let (url, stats) = server().await;
    let p = plan(&yaml, &url);
    assert_eq!(p.concurrency, Some(2));
    execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    assert_eq!(stats.max_in_flight.load(Ordering::SeqCst), 2);

    let (url, stats) = server().await;
    let p = plan(&yaml, &url);
    let opts = RunOptions {
        concurrency: Some(6),
        ..RunOptions::default()
    };
    execute(&p, &opts, &Cancel::default(), |_| {}).await;
    assert_eq!(stats.max_in_flight.load(Ordering::SeqCst), 6);
}
