//! The `metrics` and `openapi` probes against an in-process HTTP server on loopback.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use shipcheck_report::AssertionResult;
use support::*;
use tokio::net::TcpListener;

const METRICS: &str = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n\
http_requests_total{method=\"GET\",code=\"200\"} 41\nhttp_requests_total{method=\"POST\",code=\"500\"} 2\n\
# TYPE up gauge\nup 1\n";
const BAD_METRICS: &str = "# TYPE up gauge\nup 1\nhttp_requests_total{method=GET} 3\n";
const OPENAPI: &str = r#"{"openapi":"3.0.3","info":{"title":"demo","version":"1"},
"paths":{"/api/v1/vehicles":{"get":{"operationId":"listVehicles","responses":{"200":{"description":"ok"}}}}}}"#;
const SWAGGER: &str = r#"{"swagger":"2.0","info":{"title":"old","version":"1"},"paths":{}}"#;

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

async fn server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        let (status, body) = match req.uri().path() {
            "/metrics" => (200, METRICS),
            "/bad-metrics" => (200, BAD_METRICS),
            "/openapi.json" => (200, OPENAPI),
            "/swagger.json" => (200, SWAGGER),
            _ => (500, "oops"),
        };
        Ok(Response::builder()
            .status(status)
            .body(Full::new(Bytes::from(body)))
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

#[tokio::test]
async fn metrics_series_are_matched_by_name_and_labels() {
    let (addr, task) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: m\n    metrics: \"http://{addr}/metrics\"\n    expect:\n      series:\n        up: 1\n        http_requests_total: {{ count: 2 }}\n        'http_requests_total{{method=\"GET\"}}': {{ at_least: 40 }}\n        'http_requests_total{{code!=\"200\"}}': {{ under: 5 }}\n        process_cpu_seconds_total: {{ exists: false }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 6);
    task.abort();
}

#[tokio::test]
async fn a_malformed_exposition_fails_naming_the_line() {
    let (addr, task) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: m\n    metrics: \"http://{addr}/bad-metrics\"\n    expect: {{ series: {{ up: 1 }} }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    let bad = failed(&results);
    assert_eq!(bad.len(), 2, "{results:#?}");
    assert_eq!(bad[0].subject, "document valid");
    assert!(
        bad[0].actual.contains(
            "line 3: the value of label `method` is not quoted: http_requests_total{method=GET} 3"
        ),
        "{}",
        bad[0].actual
    );
    task.abort();
}

#[tokio::test]
async fn openapi_documents_are_checked_and_operations_found() {
    let (addr, task) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: o\n    openapi: \"http://{addr}/openapi.json\"\n    expect:\n      operations: [listVehicles, \"get /api/v1/vehicles\"]\n      json: {{ \"$.info.title\": demo }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 4);

    let c = check(
        &format!(
            "  - id: o\n    openapi: \"http://{addr}/openapi.json\"\n    expect: {{ operations: [deleteVehicle] }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(failed(&results)[0].subject, "operation deleteVehicle");

    for (path, why) in [("/swagger.json", "Swagger 2.0"), ("/missing", "HTTP 500")] {
        let c = check(
            &format!("  - id: o\n    openapi: \"http://{addr}{path}\"\n"),
            dir.path(),
        );
        let (_, results) = run(&c).await.unwrap();
        let bad = failed(&results);
        assert_eq!(bad.len(), 1, "{results:#?}");
        assert!(bad[0].actual.contains(why), "{}", bad[0].actual);
    }
    task.abort();
}
