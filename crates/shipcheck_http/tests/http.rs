//! Plain-HTTP behaviour against real loopback servers.

mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use shipcheck_http::{ClientOptions, HttpError, Phase, Request, send};
use shipcheck_report::FailureClass;
use support::{closed_port, hanging_server, http_server, raw_server};

fn opts() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(10),
        ..ClientOptions::default()
    }
}

fn body_text(body: &Bytes) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[tokio::test]
async fn json_200_is_recorded_with_added_headers() {
    let server = http_server().await;
    let exchange = send(&Request::get(server.url("http", "/json")), &opts())
        .await
        .expect("exchange");
    assert_eq!(exchange.hops.len(), 1);
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.status, 200);
    assert_eq!(hop.response.version, "HTTP/1.1");
    assert_eq!(
        hop.response.header("Content-Type"),
        Some("application/json")
    );
    assert_eq!(body_text(&hop.response.body), r#"{"status":"ok"}"#);
    assert!(!hop.response.body_truncated);
    assert_eq!(hop.response.body_bytes_read, hop.response.body.len() as u64);
    assert_eq!(hop.remote_addr, Some(server.addr));
    assert!(hop.tls.is_none());
    let sent = &hop.request.headers;
    let host = server.addr.to_string();
    assert!(sent.contains(&("host".to_owned(), host)), "{sent:?}");
    assert!(
        sent.iter()
            .any(|(n, v)| n == "user-agent" && v.starts_with("shipcheck/")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn caller_headers_and_body_reach_the_server() {
    let server = http_server().await;
    let req = Request {
        method: http::Method::POST,
        url: server.url("http", "/echo"),
        headers: vec![
            ("User-Agent".into(), "custom/1".into()),
            ("X-Trace".into(), "abc".into()),
        ],
        body: Bytes::from_static(b"hello"),
    };
    let exchange = send(&req, &opts()).await.expect("exchange");
    let echoed = body_text(&exchange.hops[0].response.body);
    assert!(echoed.starts_with("POST\n"), "{echoed}");
    assert!(echoed.contains("user-agent: custom/1\n"), "{echoed}");
    assert!(!echoed.contains("shipcheck/"), "{echoed}");
    assert!(echoed.contains("x-trace: abc\n"), "{echoed}");
    assert!(echoed.contains("content-length: 5\n"), "{echoed}");
    assert!(echoed.ends_with("\nhello"), "{echoed}");
}

#[tokio::test]
async fn redirect_is_not_followed_by_default() {
    let server = http_server().await;
    let exchange = send(&Request::get(server.url("http", "/chain/2")), &opts())
        .await
        .expect("exchange");
    assert_eq!(exchange.hops.len(), 1);
    let last = &exchange.hops[0].response;
    assert_eq!(last.status, 301);
    assert_eq!(last.header("location"), Some("/chain/1"));
}

#[tokio::test]
async fn followed_redirects_record_every_hop() {
    let server = http_server().await;
    let options = ClientOptions {
        follow_redirects: 5,
        ..opts()
    };
    let exchange = send(&Request::get(server.url("http", "/chain/2")), &options)
        .await
        .expect("exchange");
    let urls: Vec<&str> = exchange
        .hops
        .iter()
        .map(|h| h.request.url.as_str())
        .collect();
    let statuses: Vec<u16> = exchange.hops.iter().map(|h| h.response.status).collect();
    assert_eq!(statuses, [301, 301, 200]);
    assert_eq!(
        urls,
        [
            server.url("http", "/chain/2").as_str(),
            server.url("http", "/chain/1").as_str(),
            server.url("http", "/chain/0").as_str(),
        ]
    );
    assert_eq!(body_text(&exchange.hops[2].response.body), "end of chain");
}

#[tokio::test]
async fn redirect_limit_returns_the_last_redirect_not_an_error() {
    let server = http_server().await;
    let options = ClientOptions {
        follow_redirects: 1,
        ..opts()
    };
    let exchange = send(&Request::get(server.url("http", "/chain/3")), &options)
        .await
        .expect("exchange");
    assert_eq!(exchange.hops.len(), 2);
    let last = exchange.last().expect("a hop");
    assert_eq!(last.response.status, 301);
    assert_eq!(last.response.header("location"), Some("/chain/1"));
}

#[tokio::test]
async fn relative_location_is_resolved_against_the_current_url() {
    let server = http_server().await;
    let options = ClientOptions {
        follow_redirects: 3,
        ..opts()
    };
    let exchange = send(&Request::get(server.url("http", "/dir/start")), &options)
        .await
        .expect("exchange");
    assert_eq!(exchange.hops.len(), 2);
    let last = exchange.last().expect("a hop");
    assert_eq!(
        last.request.url,
        server.url("http", "/dir/next?x=1").as_str()
    );
    assert_eq!(body_text(&last.response.body), "next x=1");
}

#[tokio::test]
async fn see_other_after_post_becomes_a_get_without_body() {
    let server = http_server().await;
    let req = Request {
        method: http::Method::POST,
        url: server.url("http", "/see-other"),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: Bytes::from_static(b"payload"),
    };
    let options = ClientOptions {
        follow_redirects: 2,
        ..opts()
    };
    let exchange = send(&req, &options).await.expect("exchange");
    assert_eq!(exchange.hops.len(), 2);
    let second = &exchange.hops[1];
    assert_eq!(second.request.method, "GET");
    assert!(second.request.body.is_empty());
    let echoed = body_text(&second.response.body);
    assert!(echoed.starts_with("GET\n"), "{echoed}");
    assert!(!echoed.contains("content-type"), "{echoed}");
    assert!(!echoed.contains("payload"), "{echoed}");
}

#[tokio::test]
async fn redirect_loop_beyond_the_hard_cap_is_an_error() {
    let server = http_server().await;
    let options = ClientOptions {
        follow_redirects: 100,
        ..opts()
    };
    let err = send(&Request::get(server.url("http", "/loop")), &options)
        .await
        .expect_err("loop");
    assert!(
        matches!(err, HttpError::TooManyRedirects { limit: 20, .. }),
        "{err}"
    );
    assert_eq!(err.class(), FailureClass::Protocol);
    assert!(err.to_string().starts_with("too many redirects"), "{err}");
}

#[tokio::test]
async fn timings_for_http_on_an_ip_literal() {
    let server = http_server().await;
    let exchange = send(&Request::get(server.url("http", "/json")), &opts())
        .await
        .expect("exchange");
    let t = exchange.hops[0].timings;
    assert_eq!(t.dns_ms, None, "IP literal: no lookup");
    assert_eq!(t.tls_ms, None, "plain http: no handshake");
    let connect = t.connect_ms.expect("connect timed");
    let first_byte = t.first_byte_ms.expect("first byte timed");
    assert!(connect >= 0.0 && first_byte > 0.0, "{t:?}");
    assert!(t.total_ms >= connect + first_byte, "{t:?}");
}

#[tokio::test]
async fn timings_include_dns_for_a_host_name() {
    let server = http_server().await;
    let url =
        url::Url::parse(&format!("http://localhost:{}/json", server.addr.port())).expect("url");
    let exchange = send(&Request::get(url), &opts()).await.expect("exchange");
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.status, 200);
    let t = hop.timings;
    assert!(t.dns_ms.is_some(), "{t:?}");
    assert!(t.connect_ms.is_some() && t.first_byte_ms.is_some(), "{t:?}");
    assert!(t.total_ms >= t.dns_ms.unwrap_or_default(), "{t:?}");
    assert!(hop.request.headers.contains(&(
        "host".to_owned(),
        format!("localhost:{}", server.addr.port())
    )));
}

#[tokio::test]
async fn body_is_capped_and_the_rest_not_read() {
    let server = http_server().await;
    let options = ClientOptions {
        max_body: 1024,
        ..opts()
    };
    let exchange = send(&Request::get(server.url("http", "/big")), &options)
        .await
        .expect("exchange");
    let response = &exchange.hops[0].response;
    assert_eq!(response.status, 200);
    assert!(response.body_truncated);
    assert_eq!(response.body.len(), 1024);
    assert!(
        response.body_bytes_read >= 1024,
        "{}",
        response.body_bytes_read
    );
    assert!(
        response.body_bytes_read < 2 * 1024 * 1024,
        "read the whole body: {}",
        response.body_bytes_read
    );
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let addr = closed_port().await;
    let url = url::Url::parse(&format!("http://{addr}/")).expect("url");
    let err = send(&Request::get(url), &opts())
        .await
        .expect_err("refused");
    assert_eq!(err.class(), FailureClass::Connect);
    assert_eq!(
        err.to_string(),
        format!("connect to {addr}: connection refused")
    );
}

#[tokio::test]
async fn silent_server_times_out_within_the_timeout() {
    let server = hanging_server().await;
    let timeout = Duration::from_millis(500);
    let options = ClientOptions { timeout, ..opts() };
    let started = Instant::now();
    let err = send(&Request::get(server.url("http", "/json")), &options)
        .await
        .expect_err("timeout");
    let elapsed = started.elapsed();
    assert!(elapsed < timeout + Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert_eq!(err.class(), FailureClass::Timeout);
    assert!(
        matches!(
            err,
            HttpError::Timeout {
                phase: Phase::FirstByte,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "timed out after 500ms waiting for the response from {}",
            server.addr
        )
    );
}

#[tokio::test]
async fn unsupported_scheme_is_rejected_before_connecting() {
    let url = url::Url::parse("ftp://127.0.0.1/file").expect("url");
    let err = send(&Request::get(url), &opts()).await.expect_err("ftp");
    assert!(matches!(err, HttpError::InvalidRequest { .. }), "{err}");
    assert!(err.to_string().contains("only http and https"), "{err}");
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_protocol_error() {
    let server = raw_server(b"HELLO THERE\r\n\r\n").await;
    let err = send(&Request::get(server.url("http", "/")), &opts())
        .await
        .expect_err("garbage");
    assert_eq!(err.class(), FailureClass::Protocol);
    let message = err.to_string();
    let prefix = format!("invalid or incomplete response from {}: ", server.addr);
    assert!(message.starts_with(&prefix), "{message}");
}

#[tokio::test]
async fn connection_closed_without_answer_is_a_protocol_error() {
    let server = raw_server(b"").await;
    let err = send(&Request::get(server.url("http", "/")), &opts())
        .await
        .expect_err("closed");
    assert_eq!(err.class(), FailureClass::Protocol);
    assert!(err.to_string().contains("closed"), "{err}");
}

#[tokio::test]
async fn multipart_form_upload_reaches_the_server_as_sent() {
    let server = http_server().await;
    let (content_type, body) = shipcheck_http::Multipart::new()
        .text("kind", "nightly")
        .file("dump", "db.sql", "application/sql", b"select 1;\n".to_vec())
        .encode();
    let req = Request {
        method: http::Method::POST,
        url: server.url("http", "/echo"),
        headers: vec![("Content-Type".into(), content_type.clone())],
        body: body.clone(),
    };
    let exchange = send(&req, &opts()).await.expect("exchange");
    let echoed = body_text(&exchange.hops[0].response.body);
    assert!(
        echoed.contains(&format!("content-type: {content_type}\n")),
        "{echoed}"
    );
    assert!(
        echoed.contains(&format!("content-length: {}\n", body.len())),
        "{echoed}"
    );
    assert!(
        echoed.ends_with(&*String::from_utf8_lossy(&body)),
        "{echoed}"
    );
    assert!(
        echoed.contains("filename=\"db.sql\"\r\ncontent-type: application/sql\r\n\r\nselect 1;\n")
    );
}
