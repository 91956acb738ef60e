//! Credentials stay with their origin across redirects (issues 9.9 and 18.5): two loopback
//! servers record what they receive.
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::time::Duration;

use bytes::Bytes;
use shipcheck_http::{BasicAuth, Client, ClientOptions, Request, RequestOptions, send};
use support::{Ca, dual_server, http_server, http_server_on};

/// A planted fake secret, declared by the plan in real use.
const API_KEY: &str = "key-FAKE-7f3a9c0e";

fn redirect_to(from: &support::Server, scheme: &str, to: &url::Url) -> url::Url {
    let mut url = from.url(scheme, "/redirect");
    url.query_pairs_mut().append_pair("to", to.as_str());
    url
}

fn with_credentials(url: url::Url) -> Request {
    Request {
        method: http::Method::GET,
        url,
        headers: vec![
            ("Authorization".into(), "Bearer tok-FAKE-1".into()),
            ("Cookie".into(), "session=FAKE".into()),
            ("Proxy-Authorization".into(), "Basic RkFLRQ==".into()),
            ("X-Api-Key".into(), API_KEY.into()),
            ("X-Forwarded-Note".into(), format!("k={API_KEY};v=1")),
            ("X-Trace".into(), "trace-1".into()),
        ],
        body: Bytes::new(),
    }
}

fn options() -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(10),
        follow_redirects: 2,
        sensitive_values: vec![API_KEY.to_owned()],
        ..RequestOptions::default()
    }
}

#[tokio::test]
async fn redirect_to_another_host_sends_no_credential_and_no_secret_header() {
    let a = http_server_on("127.0.0.1").await;
    let b = http_server_on("127.0.0.2").await;
    let client = Client::builder().build().expect("client");
    let start = redirect_to(&a, "http", &b.url("http", "/echo"));
    let exchange = client
        .send(&with_credentials(start), &options())
        .await
        .expect("exchange");
    assert_eq!(exchange.hops.len(), 2);
    let received = String::from_utf8_lossy(&exchange.hops[1].response.body).to_lowercase();
    for leaked in [
        "authorization",
        "cookie",
        "x-api-key",
        "x-forwarded-note",
        API_KEY,
    ] {
        assert!(
            !received.contains(&leaked.to_lowercase()),
            "{leaked} reached b: {received}"
        );
    }
    assert!(received.contains("x-trace: trace-1"), "{received}");
    assert_eq!(
        exchange.hops[1].dropped_headers,
        [
            "Authorization",
            "Cookie",
            "Proxy-Authorization",
            "X-Api-Key",
            "X-Forwarded-Note"
        ]
    );
    assert!(exchange.hops[0].dropped_headers.is_empty());
    let sent: Vec<&str> = exchange.hops[1]
        .request
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(!sent.contains(&"X-Api-Key"), "{sent:?}");
}

#[tokio::test]
async fn redirect_to_another_port_on_the_same_host_is_another_origin() {
    let a = http_server().await;
    let b = http_server().await;
    let client = Client::builder().build().expect("client");
    let exchange = client
        .send(
            &with_credentials(redirect_to(&a, "http", &b.url("http", "/echo"))),
            &options(),
        )
        .await
        .expect("exchange");
    let received = String::from_utf8_lossy(&exchange.hops[1].response.body).to_lowercase();
    assert!(!received.contains(&API_KEY.to_lowercase()), "{received}");
    assert!(!received.contains("authorization"), "{received}");
    assert_eq!(exchange.hops[1].dropped_headers.len(), 5);
}

#[tokio::test]
async fn redirect_within_the_origin_keeps_credentials() {
    let a = http_server().await;
    let client = Client::builder().build().expect("client");
    let exchange = client
        .send(
            &with_credentials(redirect_to(&a, "http", &a.url("http", "/echo"))),
            &options(),
        )
        .await
        .expect("exchange");
    let received = String::from_utf8_lossy(&exchange.hops[1].response.body);
    assert!(
        received.contains(&format!("x-api-key: {API_KEY}")),
        "{received}"
    );
    assert!(
        received.contains("authorization: Bearer tok-FAKE-1"),
        "{received}"
    );
    assert!(exchange.hops[1].dropped_headers.is_empty());
}

#[tokio::test]
async fn https_to_http_on_the_same_host_and_port_sends_no_credentials() {
    let ca = Ca::new();
    let server = dual_server(&ca.leaf(&["localhost"])).await;
    let port = server.addr.port();
    let plain = url::Url::parse(&format!("http://localhost:{port}/echo")).expect("url");
    let mut start = url::Url::parse(&format!("https://localhost:{port}/redirect")).expect("url");
    start.query_pairs_mut().append_pair("to", plain.as_str());
    // The one-shot API, as the probes use it today.
    let opts = ClientOptions {
        timeout: Duration::from_secs(10),
        follow_redirects: 2,
        extra_ca_pem: Some(ca.pem.clone().into_bytes()),
        ..ClientOptions::default()
    };
    let exchange = send(&with_credentials(start), &opts)
        .await
        .expect("exchange");
    assert_eq!(exchange.hops.len(), 2);
    assert!(exchange.hops[0].tls.is_some() && exchange.hops[1].tls.is_none());
    let received = String::from_utf8_lossy(&exchange.hops[1].response.body).to_lowercase();
    assert!(!received.contains("authorization"), "{received}");
    assert!(!received.contains("cookie"), "{received}");
    assert!(received.contains("x-trace: trace-1"), "{received}");
}

#[tokio::test]
async fn basic_auth_is_sent_to_the_origin_and_dropped_on_leaving_it() {
    let a = http_server_on("127.0.0.1").await;
    let b = http_server_on("127.0.0.2").await;
    let client = Client::builder().build().expect("client");
    let opts = RequestOptions {
        basic_auth: Some(BasicAuth {
            user: "ops".into(),
            password: "pw-FAKE".into(),
        }),
        ..options()
    };
    let direct = client
        .send(&Request::get(a.url("http", "/echo")), &opts)
        .await
        .expect("exchange");
    let received = String::from_utf8_lossy(&direct.hops[0].response.body);
    // base64("ops:pw-FAKE")
    assert!(
        received.contains("authorization: Basic b3BzOnB3LUZBS0U="),
        "{received}"
    );

    let away = client
        .send(
            &Request::get(redirect_to(&a, "http", &b.url("http", "/echo"))),
            &opts,
        )
        .await
        .expect("exchange");
    let received = String::from_utf8_lossy(&away.hops[1].response.body).to_lowercase();
    assert!(!received.contains("authorization"), "{received}");
    assert_eq!(away.hops[1].dropped_headers, ["authorization"]);
}

#[tokio::test]
async fn one_shot_send_drops_conventional_credential_headers_on_leaving_the_origin() {
    // The probes call `send` without declaring values today: names still protect X-Api-Key.
    let a = http_server_on("127.0.0.1").await;
    let b = http_server_on("127.0.0.2").await;
    let opts = ClientOptions {
        follow_redirects: 2,
        ..ClientOptions::default()
    };
    let exchange = send(
        &with_credentials(redirect_to(&a, "http", &b.url("http", "/echo"))),
        &opts,
    )
    .await
    .expect("exchange");
    let received = String::from_utf8_lossy(&exchange.hops[1].response.body).to_lowercase();
    assert!(!received.contains("x-api-key"), "{received}");
    assert!(!received.contains("authorization"), "{received}");
    assert!(received.contains("x-trace: trace-1"), "{received}");
}
