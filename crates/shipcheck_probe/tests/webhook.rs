//! The `webhook` probe against in-process receivers on loopback: one that verifies the GitHub
//! signature, one that accepts anything, one that verifies the Stripe scheme.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use ring::hmac;
use shipcheck_report::AssertionResult;
use support::*;
use tokio::net::TcpListener;

const SECRET: &str = "whsec-test-0123456789";

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `/github` verifies `X-Hub-Signature-256`, `/stripe` verifies `Stripe-Signature`
/// (`t=…,v1=…` over `t.body`), `/any` accepts everything.
async fn receiver() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        let path = req.uri().path().to_owned();
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let (gh, st) = (header("x-hub-signature-256"), header("stripe-signature"));
        let body = req.into_body().collect().await.unwrap().to_bytes();
        let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
        let ok = match path.as_str() {
            "/github" => gh == format!("sha256={}", hex(hmac::sign(&key, &body).as_ref())),
            "/stripe" => {
                let t = st
                    .split(',')
                    .find_map(|p| p.strip_prefix("t="))
                    .unwrap_or("");
                let v1 = st
                    .split(',')
                    .find_map(|p| p.strip_prefix("v1="))
                    .unwrap_or("");
                let signed = [t.as_bytes(), b".", &body].concat();
                !t.is_empty() && v1 == hex(hmac::sign(&key, &signed).as_ref())
            }
            _ => true,
        };
        let status = if ok { 202 } else { 401 };
        Ok(Response::builder()
            .status(status)
            .body(Full::new(Bytes::from(if ok {
                "accepted"
            } else {
                "bad signature"
            })))
            .unwrap())
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
    (addr, task)
}

fn webhook_check(addr: std::net::SocketAddr, path: &str, how: &str) -> shipcheck_plan::Check {
    let dir = tempfile::tempdir().unwrap();
    check(
        &format!(
            "  - id: w\n    webhook:\n      url: \"http://{addr}{path}\"\n      secret: {SECRET}\n      {how}\n      json: {{ event: ping }}\n"
        ),
        dir.path(),
    )
}

#[tokio::test]
async fn github_and_stripe_signatures_are_accepted_and_tampering_rejected() {
    let (addr, task) = receiver().await;
    for (path, how) in [("/github", "preset: github"), ("/stripe", "preset: stripe")] {
        let c = webhook_check(addr, path, how);
        let (observed, results) = run(&c).await.unwrap();
        assert!(failed(&results).is_empty(), "{path}: {results:#?}");
        assert_eq!(
            results.len(),
            2,
            "implied accepted: 2xx and rejected: [401, 403]"
        );
        // the secret is handed to the runner for redaction, and never shown
        assert_eq!(observed.sent_secrets, [SECRET]);
        assert!(!observed.evidence[0].text.contains(SECRET));
    }
    // A custom scheme spelled out: the GitHub one again, by hand.
    let c = webhook_check(
        addr,
        "/github",
        "header: X-Hub-Signature-256\n      signature: \"sha256={signature}\"\n      signing_string: \"{body}\"",
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    task.abort();
}

#[tokio::test]
async fn an_endpoint_that_accepts_anything_fails_the_tampered_expectation() {
    let (addr, task) = receiver().await;
    let c = webhook_check(addr, "/any", "preset: github");
    let (_, results) = run(&c).await.unwrap();
    let bad = failed(&results);
    assert_eq!(bad.len(), 1, "{results:#?}");
    assert_eq!(bad[0].subject, "status of the tampered delivery");
    assert!(
        bad[0]
            .actual
            .contains("202 (the endpoint accepted a body that does not match its signature)"),
        "{}",
        bad[0].actual
    );
    // A wrong preset against a verifying endpoint fails the signed expectation instead.
    let c = webhook_check(addr, "/stripe", "preset: github");
    let (_, results) = run(&c).await.unwrap();
    let bad: Vec<&str> = failed(&results)
        .iter()
        .map(|r| r.subject.as_str())
        .collect();
    assert_eq!(bad, ["status of the signed delivery"]);
    task.abort();
}
