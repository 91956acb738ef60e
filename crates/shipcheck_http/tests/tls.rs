//! HTTPS: ALPN, extra roots, and the exact certificate problem in errors.
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::time::Duration;

use shipcheck_http::{ClientOptions, Exchange, HttpError, Request, TlsProblem, send};
use shipcheck_report::FailureClass;
use support::{Ca, Server, expired, https_server, self_signed};

const BOTH: &[&[u8]] = &[b"h2", b"http/1.1"];

fn opts(ca: Option<&Ca>) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(10),
        extra_ca_pem: ca.map(|ca| ca.pem.clone().into_bytes()),
        ..ClientOptions::default()
    }
}

fn localhost(server: &Server, path: &str) -> url::Url {
    url::Url::parse(&format!("https://localhost:{}{path}", server.addr.port())).expect("url")
}

async fn get(url: url::Url, options: &ClientOptions) -> Result<Exchange, HttpError> {
    send(&Request::get(url), options).await
}

#[tokio::test]
async fn trusted_ca_and_alpn_h2_give_http2() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["localhost"]), BOTH).await;
    let exchange = get(localhost(&server, "/json"), &opts(Some(&ca)))
        .await
        .expect("exchange");
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.status, 200);
    assert_eq!(hop.response.version, "HTTP/2");
    assert_eq!(
        String::from_utf8_lossy(&hop.response.body),
        r#"{"status":"ok"}"#
    );
    let tls = hop.tls.as_ref().expect("tls info");
    assert_eq!(tls.alpn.as_deref(), Some("h2"));
    assert_eq!(tls.protocol, "TLSv1.3");
    assert_eq!(tls.peer_certificates.len(), 1);
    assert_eq!(tls.verify_error, None);
    let t = hop.timings;
    assert!(t.dns_ms.is_some() && t.connect_ms.is_some(), "{t:?}");
    assert!(t.tls_ms.is_some() && t.first_byte_ms.is_some(), "{t:?}");
    // HTTP/2 carries the authority as a pseudo-header, not a Host header.
    assert!(!hop.request.headers.iter().any(|(n, _)| n == "host"));
}

#[tokio::test]
async fn http11_when_the_server_offers_only_http11() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["localhost"]), &[b"http/1.1"]).await;
    let exchange = get(localhost(&server, "/json"), &opts(Some(&ca)))
        .await
        .expect("exchange");
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.version, "HTTP/1.1");
    assert_eq!(
        hop.tls.as_ref().and_then(|t| t.alpn.as_deref()),
        Some("http/1.1")
    );
}

#[tokio::test]
async fn redirects_over_http2_are_followed() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["localhost"]), BOTH).await;
    let options = ClientOptions {
        follow_redirects: 3,
        ..opts(Some(&ca))
    };
    let exchange = get(localhost(&server, "/chain/1"), &options)
        .await
        .expect("exchange");
    let statuses: Vec<u16> = exchange.hops.iter().map(|h| h.response.status).collect();
    assert_eq!(statuses, [301, 200]);
    assert!(exchange.hops.iter().all(|h| h.response.version == "HTTP/2"));
}

#[tokio::test]
async fn unknown_ca_is_rejected_as_unknown_issuer() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["localhost"]), BOTH).await;
    let err = get(localhost(&server, "/json"), &opts(None))
        .await
        .expect_err("untrusted CA");
    assert_eq!(err.class(), FailureClass::Tls);
    assert!(
        matches!(
            &err,
            HttpError::Tls {
                problem: TlsProblem::UnknownIssuer,
                ..
            }
        ),
        "{err:?}"
    );
    let expected = format!(
        "tls handshake with localhost:{} failed: certificate for CN=localhost is issued by \
         CN=shipcheck test CA, which is not a trusted CA",
        server.addr.port()
    );
    assert_eq!(err.to_string(), expected);
}

#[tokio::test]
async fn self_signed_is_rejected_as_unknown_issuer() {
    let server = https_server(&self_signed(&["localhost"]), BOTH).await;
    let err = get(localhost(&server, "/json"), &opts(None))
        .await
        .expect_err("self-signed");
    assert!(
        err.to_string().ends_with(
            "failed: self-signed certificate for CN=localhost (not issued by a trusted CA)"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn certificate_for_another_host_names_the_host() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["other.test"]), BOTH).await;
    let err = get(server.url("https", "/json"), &opts(Some(&ca)))
        .await
        .expect_err("wrong host");
    assert_eq!(err.class(), FailureClass::Tls);
    assert!(
        err.to_string()
            .ends_with("certificate for CN=other.test is not valid for host 127.0.0.1"),
        "{err}"
    );
    assert!(err.to_string().contains(&server.addr.to_string()), "{err}");
}

#[tokio::test]
async fn expired_certificate_says_expired() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf_with(&["localhost"], expired), BOTH).await;
    let err = get(localhost(&server, "/json"), &opts(Some(&ca)))
        .await
        .expect_err("expired");
    assert!(
        matches!(
            &err,
            HttpError::Tls {
                problem: TlsProblem::Expired,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with("certificate expired: CN=localhost was valid until 2001-01-01"),
        "{err}"
    );
}

#[tokio::test]
async fn insecure_accepts_a_bad_certificate_and_records_why() {
    let server = https_server(&self_signed(&["other.test"]), BOTH).await;
    let options = ClientOptions {
        insecure: true,
        ..opts(None)
    };
    let exchange = get(localhost(&server, "/json"), &options)
        .await
        .expect("insecure exchange");
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.status, 200);
    let verify_error = hop.tls.as_ref().and_then(|t| t.verify_error.clone());
    assert!(
        verify_error.as_deref().is_some_and(
            |e| e == "self-signed certificate for CN=other.test (not issued by a trusted CA)"
        ),
        "{verify_error:?}"
    );
}

#[tokio::test]
async fn unusable_extra_ca_pem_is_a_tls_config_error() {
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["localhost"]), BOTH).await;
    let options = ClientOptions {
        extra_ca_pem: Some(b"not a certificate".to_vec()),
        ..opts(None)
    };
    let err = get(localhost(&server, "/json"), &options)
        .await
        .expect_err("bad pem");
    assert!(matches!(err, HttpError::TlsConfig { .. }), "{err:?}");
    assert_eq!(err.class(), FailureClass::Tls);
}
