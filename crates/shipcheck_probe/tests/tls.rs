//! The `tls` probe against loopback servers with generated certificates, and a private nginx
//! that speaks TLS 1.0/1.1 (which rustls cannot).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use shipcheck_report::{AssertionResult, FailureClass};
use support::*;

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

/// A check against `addr` with SNI `localhost`, trusting `ca_pem`, and extra expectations.
fn tls_check(
    dir: &tempfile::TempDir,
    addr: std::net::SocketAddr,
    ca_pem: &str,
    expect: &str,
) -> shipcheck_plan::Check {
    std::fs::write(dir.path().join("ca.pem"), ca_pem).unwrap();
    check(
        &format!(
            "  - id: tls\n    timeout: 3s\n    tls: {{ host: \"127.0.0.1:{}\", sni: localhost, ca_file: ca.pem }}\n    expect: {{ {expect} }}\n",
            addr.port()
        ),
        dir.path(),
    )
}

#[tokio::test]
async fn valid_certificate_passes_and_records_the_chain() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| valid_between(p, -1, 90));
    let server = tls_server(&leaf, &[b"h2"]).await;
    let dir = tempfile::tempdir().unwrap();
    let c = tls_check(
        &dir,
        server.addr,
        &ca.pem,
        "expires_in: { at_least: 14d }, issuer: { contains: shipcheck test CA }, min_version: TLSv1.2, \
         version: TLSv1.3, alpn: h2, accepts: { TLSv1.0: false, TLSv1.1: false, TLSv1.2: true, TLSv1.3: true }, \
         json: { \"$.chain[0].sans[0]\": localhost, \"$.chain[0].key_type\": EC }",
    );
    let (observed, results) = run(&c).await.expect("observes");
    assert!(failed(&results).is_empty(), "{results:#?}");
    // the implicit `valid: true` is the first assertion
    assert_eq!(results[0].subject, "certificate valid");
    assert_eq!(results.len(), 12);
    let evidence = &observed.evidence[0].text;
    assert!(evidence.contains("verification: ok"), "{evidence}");
    assert!(evidence.contains("TLSv1.0 no"), "{evidence}");
}

async fn problem_of(leaf: Leaf, ca_pem: &str) -> String {
    let server = tls_server(&leaf, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let c = tls_check(&dir, server.addr, ca_pem, "");
    let (_, results) = run(&c)
        .await
        .expect("a bad certificate is observed, not an error");
    let bad = failed(&results);
    assert_eq!(bad.len(), 1, "{results:#?}");
    assert_eq!(bad[0].subject, "certificate valid");
    bad[0].actual.clone()
}

#[tokio::test]
async fn expired_certificate_fails_saying_expired() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| valid_between(p, -30, -1));
    let actual = problem_of(leaf, &ca.pem).await;
    assert!(actual.starts_with("false (expired: "), "{actual}");
}

#[tokio::test]
async fn not_yet_valid_certificate_fails_saying_so() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| valid_between(p, 2, 30));
    let actual = problem_of(leaf, &ca.pem).await;
    assert!(actual.contains("not yet valid: "), "{actual}");
}

#[tokio::test]
async fn wrong_host_fails_naming_the_host_and_the_names() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["other.example"], |p| valid_between(p, -1, 30));
    let actual = problem_of(leaf, &ca.pem).await;
    assert!(
        actual.contains(
            "wrong host: the certificate does not cover localhost (names: other.example)"
        ),
        "{actual}"
    );
}

#[tokio::test]
async fn self_signed_certificate_fails_saying_self_signed() {
    let ca = Ca::new();
    let actual = problem_of(self_signed(&["localhost"]), &ca.pem).await;
    assert!(actual.contains("self-signed: "), "{actual}");
}

#[tokio::test]
async fn short_lived_certificate_fails_the_expiry_budget_only() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| valid_between(p, -1, 3));
    let server = tls_server(&leaf, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let c = tls_check(&dir, server.addr, &ca.pem, "expires_in: { at_least: 14d }");
    let (_, results) = run(&c).await.unwrap();
    let bad = failed(&results);
    assert_eq!(bad.len(), 1, "{results:#?}");
    assert_eq!(bad[0].subject, "expires in");
    assert!(
        bad[0].actual.contains("days, CN=localhost on "),
        "{}",
        bad[0].actual
    );
}

#[tokio::test]
async fn a_handshake_that_stalls_is_a_timeout_within_the_budget() {
    let server = stalling_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: tls\n    timeout: 1s\n    tls: \"127.0.0.1:{}\"\n",
            server.addr.port()
        ),
        dir.path(),
    );
    let start = Instant::now();
    let err = run(&c).await.expect_err("a stalled handshake is an error");
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(err.class, FailureClass::Timeout);
    assert!(err.message.contains("tls handshake"), "{}", err.message);
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let addr = closed_port().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!("  - id: tls\n    tls: \"127.0.0.1:{}\"\n", addr.port()),
        dir.path(),
    );
    let err = run(&c).await.expect_err("error");
    assert_eq!(err.class, FailureClass::Connect, "{}", err.message);
}

#[tokio::test]
async fn nginx_with_legacy_protocols_is_seen_accepting_them() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| valid_between(p, -1, 90));
    let Some(nginx) = start_nginx(
        &leaf,
        &[
            "ssl_protocols TLSv1 TLSv1.1; ssl_ciphers \"ALL:@SECLEVEL=0\";",
            "ssl_protocols TLSv1.2 TLSv1.3;",
        ],
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let legacy = std::net::SocketAddr::from(([127, 0, 0, 1], nginx.ports[0]));
    let modern = std::net::SocketAddr::from(([127, 0, 0, 1], nginx.ports[1]));

    // The legacy server: rustls cannot even complete a handshake, so `valid` fails with the
    // reason, and the hand-built ClientHellos find TLS 1.0 and 1.1 accepted.
    let c = tls_check(
        &dir,
        legacy,
        &ca.pem,
        "accepts: { TLSv1.0: false, TLSv1.1: false, TLSv1.2: false }",
    );
    let (observed, results) = run(&c).await.expect("observes");
    let bad: Vec<&str> = failed(&results)
        .iter()
        .map(|r| r.subject.as_str())
        .collect();
    assert_eq!(
        bad,
        ["certificate valid", "accepts TLSv1.0", "accepts TLSv1.1"],
        "{results:#?}"
    );
    assert!(
        results[0].actual.contains("handshake failed"),
        "{}",
        results[0].actual
    );
    assert!(
        observed.evidence[0].text.contains("TLSv1.2 no"),
        "{}",
        observed.evidence[0].text
    );

    // The modern server refuses both.
    let c = tls_check(
        &dir,
        modern,
        &ca.pem,
        "accepts: { TLSv1.0: false, TLSv1.1: false }, min_version: TLSv1.2",
    );
    let (_, results) = run(&c).await.expect("observes");
    assert!(failed(&results).is_empty(), "{results:#?}");
}
