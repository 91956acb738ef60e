//! The healthy service over real loopback HTTP: endpoints, auth flow, CORS, metrics, files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use common::{get, login, post_json, send, start};
use shipcheck_demo::Scenario;

#[tokio::test]
async fn health_endpoints_answer_ok_with_database_check() {
    let demo = start(Scenario::Healthy).await;
    let live = get(&demo.server.http_url, "/health/live").await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json(), serde_json::json!({ "status": "ok" }));
    let ready = get(&demo.server.http_url, "/health/ready").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["checks"]["database"], "ok");
    assert_eq!(ready.json()["status"], "ok");
    demo.server.shutdown().await;
}

#[tokio::test]
async fn pages_assets_docs_and_openapi_are_served() {
    let demo = start(Scenario::Healthy).await;
    let url = &demo.server.http_url;
    let index = get(url, "/").await;
    assert_eq!(index.status, 200);
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        index
            .body
            .contains(r#"<div id="root" data-app="vehicle-diagnostics">"#)
    );
    assert!(index.body.contains("/static/app.js") && index.body.contains("/static/app.css"));
    let js = get(url, "/static/app.js").await;
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.body.contains("/api/v1/auth/login"));
    let css = get(url, "/static/app.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let docs = get(url, "/docs").await;
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("href=\"/openapi.json\""));
    let openapi = get(url, "/openapi.json").await;
    assert_eq!(openapi.status, 200);
    let doc = openapi.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
    assert_eq!(
        doc["paths"]["/api/v1/auth/login"]["post"]["operationId"],
        "login"
    );
    assert_eq!(
        doc["paths"]["/api/v1/vehicles"]["get"]["operationId"],
        "listVehicles"
    );
    let missing = get(url, "/nope").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["detail"], "not found");
    demo.server.shutdown().await;
}

#[tokio::test]
async fn login_token_unlocks_vehicles_and_commands() {
    let demo = start(Scenario::Healthy).await;
    let url = demo.server.http_url.clone();

    let unauthenticated = get(&url, "/api/v1/vehicles").await;
    assert_eq!(unauthenticated.status, 401);
    assert_eq!(unauthenticated.header("www-authenticate"), Some("Bearer"));

    let wrong = login(&demo, "not-the-password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["detail"], "invalid credentials");

    let ok = login(&demo, &demo.server.admin_password).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["token_type"], "bearer");
    let token = ok.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    let bearer = format!("Bearer {token}");

    let forged = send(
        &url,
        "GET",
        "/api/v1/vehicles",
        &[("authorization", "Bearer forged")],
        None,
    )
    .await;
    assert_eq!(forged.status, 401);

    let vehicles = send(
        &url,
        "GET",
        "/api/v1/vehicles",
        &[("authorization", &bearer)],
        None,
    )
    .await;
    assert_eq!(vehicles.status, 200);
    let list = vehicles.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for vehicle in list {
        for field in ["vehicle_id", "vin", "model", "updated_at"] {
            assert!(vehicle.get(field).is_some(), "{field} missing in {vehicle}");
        }
    }

    let body = serde_json::json!({ "vehicle_id": list[0]["vehicle_id"], "command": "read-dtc" });
    let command = post_json(
        &url,
        "/api/v1/commands",
        &[("authorization", &bearer)],
        &body.to_string(),
    )
    .await;
    assert_eq!(command.status, 202, "{}", command.body);
    let command_id = command.json()["command_id"].as_str().unwrap().to_owned();

    let unknown = serde_json::json!({ "vehicle_id": 999, "command": "read-dtc" });
    let missing = post_json(
        &url,
        "/api/v1/commands",
        &[("authorization", &bearer)],
        &unknown.to_string(),
    )
    .await;
    assert_eq!(missing.status, 404);
    let anonymous = post_json(&url, "/api/v1/commands", &[], &body.to_string()).await;
    assert_eq!(anonymous.status, 401);
    let malformed = post_json(&url, "/api/v1/commands", &[("authorization", &bearer)], "{").await;
    assert_eq!(malformed.status, 400);

    let db_path = demo.server.db_path.clone();
    demo.server.shutdown().await;
    // The command really was stored.
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let stored: String = conn
        .query_row(
            "SELECT command FROM commands WHERE command_id = ?1",
            [&command_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, "read-dtc");
}

#[tokio::test]
async fn oversized_login_body_is_rejected() {
    let demo = start(Scenario::Healthy).await;
    let big = format!(
        r#"{{"username":"admin","password":"{}"}}"#,
        "x".repeat(70 * 1024)
    );
    let reply = post_json(&demo.server.http_url, "/api/v1/auth/login", &[], &big).await;
    assert_eq!(reply.status, 413);
    demo.server.shutdown().await;
}

#[tokio::test]
async fn cors_preflight_echoes_allowed_origins_only() {
    let demo = start(Scenario::Healthy).await;
    let url = &demo.server.http_url;
    let preflight = |origin: &'static str| async move {
        let headers = [
            ("origin", origin),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization"),
        ];
        send(url, "OPTIONS", "/api/v1/vehicles", &headers, None).await
    };
    let allowed = preflight("http://localhost:3000").await;
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert!(
        allowed
            .header("access-control-allow-methods")
            .unwrap()
            .contains("GET")
    );
    assert_eq!(
        allowed.header("access-control-allow-headers"),
        Some("authorization, content-type")
    );
    assert!(allowed.header("access-control-max-age").is_some());

    let denied = preflight("https://evil.example").await;
    assert_eq!(denied.header("access-control-allow-origin"), None);
    assert_eq!(denied.header("access-control-allow-methods"), None);

    // The service's own origin is allowed too, and actual responses carry ACAO.
    let own = send(url, "GET", "/api/v1/vehicles", &[("origin", url)], None).await;
    assert_eq!(own.status, 401);
    assert_eq!(
        own.header("access-control-allow-origin"),
        Some(url.as_str())
    );
    let other = send(
        url,
        "GET",
        "/api/v1/vehicles",
        &[("origin", "https://evil.example")],
        None,
    )
    .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    // CORS is scoped to /api/*.
    let page = send(
        url,
        "GET",
        "/health/live",
        &[("origin", "http://localhost:3000")],
        None,
    )
    .await;
    assert_eq!(page.header("access-control-allow-origin"), None);
    demo.server.shutdown().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let demo = start(Scenario::Healthy).await;
    let url = &demo.server.http_url;
    for _ in 0..3 {
        assert_eq!(get(url, "/health/live").await.status, 200);
    }
    assert_eq!(get(url, "/api/v1/vehicles").await.status, 401);
    let metrics = get(url, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let text = &metrics.body;
    assert!(text.contains("# HELP http_requests_total "));
    assert!(text.contains("# TYPE http_requests_total counter"));
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    assert!(
        text.contains(r#"http_requests_total{method="GET",path="/health/live",status="200"} 3"#)
    );
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",path="/api/v1/vehicles",status="401"} 1"#
        )
    );
    assert!(text.contains(
        r#"http_request_duration_seconds_bucket{method="GET",path="/health/live",le="+Inf"} 3"#
    ));
    assert!(
        text.contains(r#"http_request_duration_seconds_count{method="GET",path="/health/live"} 3"#)
    );
    assert!(
        text.contains(r#"http_request_duration_seconds_sum{method="GET",path="/health/live"} "#)
    );
    // Every sample line is `name{labels} value` with a numeric value.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "bad sample line {line}");
    }
    demo.server.shutdown().await;
}

#[tokio::test]
async fn start_writes_files_and_randomises_the_password() {
    let first = start(Scenario::Healthy).await;
    let second = start(Scenario::Healthy).await;
    assert_eq!(first.server.db_path, first.dir.path().join("demo.db"));
    assert_eq!(first.server.ca_pem_path, first.dir.path().join("ca.pem"));
    assert!(first.server.db_path.is_file());
    let pem = std::fs::read_to_string(&first.server.ca_pem_path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(first.server.admin_username, "admin");
    assert_ne!(first.server.admin_password, second.server.admin_password);
    assert!(first.server.http_url.starts_with("http://127.0.0.1:"));
    assert!(first.server.https_url.starts_with("https://localhost:"));
    assert!(!format!("{:?}", first.server).contains(&first.server.admin_password));
    first.server.shutdown().await;
    second.server.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_the_listeners() {
    let demo = start(Scenario::Healthy).await;
    let http = common::authority(&demo.server.http_url).to_owned();
    let https = common::authority(&demo.server.https_url).replace("localhost", "127.0.0.1");
    demo.server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(&http).await.is_err());
    assert!(tokio::net::TcpStream::connect(&https).await.is_err());
}
