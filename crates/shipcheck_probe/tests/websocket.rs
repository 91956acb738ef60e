//! The `websocket` probe against in-process WebSocket servers on loopback.
#![allow(clippy::expect_used, clippy::unwrap_used)]
#![allow(clippy::result_large_err)] // the handshake callback signature is tungstenite's

mod support;

use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use shipcheck_probe::capture;
use shipcheck_report::{AssertionResult, FailureClass};
use support::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

/// `talk`: sends two JSON messages, echoes one message from the client, then closes (1000),
/// but only for `?token=t0k3n`. `silent`: upgrades and never sends.
async fn ws_server(talk: bool) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let check = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
                    if req.uri().query() == Some("token=t0k3n") {
                        Ok(resp)
                    } else {
                        let mut e = ErrorResponse::new(Some("no token".into()));
                        *e.status_mut() =
                            tokio_tungstenite::tungstenite::http::StatusCode::UNAUTHORIZED;
                        Err(e)
                    }
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, check).await else {
                    return;
                };
                if !talk {
                    let mut held = Vec::new();
                    while let Some(Ok(m)) = ws.next().await {
                        held.push(m);
                    }
                    return;
                }
                for state in ["accepted", "completed"] {
                    let m = json!({ "id": "c-42", "state": state }).to_string();
                    let _ = ws.send(Message::text(m)).await;
                }
                if let Some(Ok(Message::Text(t))) = ws.next().await {
                    let _ = ws.send(Message::text(format!("echo {}", t.as_str()))).await;
                }
                let _ = ws.close(None).await;
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    (addr, task)
}

#[tokio::test]
async fn messages_are_collected_asserted_and_captured() {
    let (addr, task) = ws_server(true).await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: w\n    timeout: 3s\n    websocket:\n      url: \"ws://{addr}/stream\"\n      query: {{ token: t0k3n }}\n      send: [{{ hello: 1 }}]\n    expect:\n      messages: {{ at_least: 2, at_most: 3 }}\n      json: {{ \"$[0].state\": accepted, \"$[2]\": {{ regex: \"^echo \" }} }}\n      closed: true\n    capture: {{ cid: \"$[1].id\" }}\n"
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 5);
    let captured = capture(&c.capture, observed.facts.as_ref()).unwrap();
    assert_eq!(captured, vec![("cid".to_owned(), Value::from("c-42"))]);
    let text = &observed.evidence[0].text;
    assert!(text.contains("[3] \"echo {\\\"hello\\\":1}\""), "{text}");
    assert!(text.contains("ended: closed by the server"), "{text}");
    task.abort();
}

#[tokio::test]
async fn a_server_that_never_sends_fails_within_the_window() {
    let (addr, task) = ws_server(false).await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: w\n    timeout: 3s\n    websocket: {{ url: \"http://{addr}/s?token=t0k3n\", within: 700ms }}\n    expect: {{ messages: {{ at_least: 2 }} }}\n"
        ),
        dir.path(),
    );
    let start = Instant::now();
    let (_, results) = run(&c).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    let bad = failed(&results);
    assert_eq!(bad.len(), 1, "{results:#?}");
    assert_eq!(bad[0].subject, "messages");
    assert!(
        bad[0].actual.starts_with("0 (ended: 700 ms elapsed)"),
        "{}",
        bad[0].actual
    );
    task.abort();
}

#[tokio::test]
async fn a_refused_upgrade_is_a_protocol_error_naming_the_status() {
    let (addr, task) = ws_server(true).await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!("  - id: w\n    websocket: \"ws://{addr}/s?token=wrong\"\n"),
        dir.path(),
    );
    let err = run(&c).await.expect_err("refused");
    assert_eq!(err.class, FailureClass::Protocol);
    assert!(
        err.message
            .contains("refused the WebSocket upgrade with HTTP 401"),
        "{}",
        err.message
    );
    task.abort();
}

#[tokio::test]
async fn a_server_that_never_answers_the_handshake_is_a_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(b"").await;
            held.push(s);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!("  - id: w\n    timeout: 1s\n    websocket: \"ws://{addr}/\"\n"),
        dir.path(),
    );
    let start = Instant::now();
    let err = run(&c).await.expect_err("timeout");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(err.class, FailureClass::Timeout, "{}", err.message);
    task.abort();
}
