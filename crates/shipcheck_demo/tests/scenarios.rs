//! Each scenario's distinguishing behaviour, over real loopback HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::time::{Duration, Instant};

use common::{get, login, send, start, start_with_delay};
use shipcheck_demo::Scenario;

#[tokio::test]
async fn schema_drift_login_fails_naming_the_missing_column() {
    let demo = start(Scenario::SchemaDrift).await;
    let reply = login(&demo, &demo.server.admin_password).await;
    assert_eq!(reply.status, 500);
    let detail = reply.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("no such column: is_active"), "{detail}");
    // The database itself is up: readiness still passes, as in the FIELD.md incident.
    assert_eq!(
        get(&demo.server.http_url, "/health/ready").await.status,
        200
    );
    let db_path = demo.server.db_path.clone();
    demo.server.shutdown().await;
    let conn = rusqlite::Connection::open(db_path).unwrap();
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('users')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(columns, ["user_id", "username", "password_hash"]);
}

#[tokio::test]
async fn login_500_reports_the_hashing_backend_error() {
    let demo = start(Scenario::Login500).await;
    let reply = login(&demo, &demo.server.admin_password).await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json()["detail"], "password hashing backend error");
    assert_eq!(get(&demo.server.http_url, "/health/live").await.status, 200);
    demo.server.shutdown().await;
}

#[tokio::test]
async fn no_seed_data_rejects_login_and_has_empty_tables() {
    let demo = start(Scenario::NoSeedData).await;
    let reply = login(&demo, &demo.server.admin_password).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["detail"], "invalid credentials");
    assert_eq!(
        get(&demo.server.http_url, "/api/v1/vehicles").await.status,
        401
    );
    assert_eq!(
        get(&demo.server.http_url, "/health/ready").await.status,
        200
    );
    let db_path = demo.server.db_path.clone();
    demo.server.shutdown().await;
    let conn = rusqlite::Connection::open(db_path).unwrap();
    for table in ["users", "vehicles"] {
        let rows: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "{table} should be empty");
    }
    let columns: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM pragma_table_info('users') WHERE name = 'is_active'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(columns, 1, "the schema is the correct one");
}

#[tokio::test]
async fn flaky_fails_every_second_request_to_each_url() {
    let demo = start(Scenario::Flaky).await;
    let url = &demo.server.http_url;
    let paths = [
        "/health/live",
        "/health/ready",
        "/health/live",
        "/health/live?again=1",
        "/health/ready",
        "/health/live",
    ];
    let mut statuses = Vec::new();
    for path in paths {
        let reply = get(url, path).await;
        if reply.status == 503 {
            assert_eq!(reply.json()["detail"], "temporarily unavailable");
        }
        statuses.push(reply.status);
    }
    // Each URL (method, path and query) alternates 200, 503, 200… on its own.
    assert_eq!(statuses, [200, 200, 503, 200, 503, 200]);
    // A retry after a 503 succeeds: the login flow works with one retry per request.
    let first = login(&demo, &demo.server.admin_password).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(login(&demo, &demo.server.admin_password).await.status, 503);
    demo.server.shutdown().await;
}

#[tokio::test]
async fn slow_delays_api_and_liveness_by_300ms() {
    let demo = start(Scenario::Slow).await;
    let url = &demo.server.http_url;
    let started = Instant::now();
    assert_eq!(get(url, "/health/live").await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let reply = login(&demo, &demo.server.admin_password).await;
    assert_eq!(reply.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    assert_eq!(
        send(url, "GET", "/api/v1/vehicles", &[], None).await.status,
        401
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    demo.server.shutdown().await;
}

#[tokio::test]
async fn delay_option_slows_every_response() {
    let delay = Duration::from_millis(120);
    let demo = start_with_delay(Scenario::Healthy, delay).await;
    for path in ["/health/ready", "/metrics", "/static/app.css"] {
        let started = Instant::now();
        assert_eq!(get(&demo.server.http_url, path).await.status, 200);
        assert!(
            started.elapsed() >= delay,
            "{path}: {:?}",
            started.elapsed()
        );
    }
    demo.server.shutdown().await;
}
