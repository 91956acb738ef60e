//! Every TLS failure reads as a sentence about the certificate or the server, never as an
//! upstream type name (issue 9.6).
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, date_time_ymd};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use shipcheck_http::{ClientOptions, HttpError, Request, TlsProblem, send};
use shipcheck_report::FailureClass;
use support::{Ca, Server, http_server, https_server, https_server_with, raw_server};

const BOTH: &[&[u8]] = &[b"h2", b"http/1.1"];

fn opts(ca: Option<&Ca>) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(10),
        extra_ca_pem: ca.map(|ca| ca.pem.clone().into_bytes()),
        ..ClientOptions::default()
    }
}

fn localhost(server: &Server) -> url::Url {
    url::Url::parse(&format!("https://localhost:{}/json", server.addr.port())).expect("url")
}

/// No `CamelCase` upstream names, no `Debug` punctuation.
fn assert_human(message: &str) {
    let camel = message.split(|c: char| !c.is_alphanumeric()).any(|word| {
        let mut chars = word.chars();
        chars.next().is_some_and(char::is_uppercase)
            && chars.clone().any(char::is_lowercase)
            && chars.any(char::is_uppercase)
    });
    assert!(!camel, "upstream type name in: {message}");
    assert!(
        !message.contains("othererror") && !message.contains("Other("),
        "{message}"
    );
}

/// A self-signed certificate marked as a CA, as `openssl req -x509` makes by default.
fn self_signed_ca_cert(name: &str) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(vec![name.to_owned()]).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).expect("cert");
    (
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

#[tokio::test]
async fn self_signed_ca_flagged_certificate_says_self_signed() {
    let (cert, key) = self_signed_ca_cert("localhost");
    let server = https_server_with(cert, key, BOTH).await;
    let err = send(&Request::get(localhost(&server)), &opts(None))
        .await
        .expect_err("self-signed");
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
    let message = err.to_string();
    assert_eq!(
        message,
        format!(
            "tls handshake with localhost:{} failed: self-signed certificate for CN=localhost \
             (not issued by a trusted CA)",
            server.addr.port()
        )
    );
    assert_human(&message);
}

#[tokio::test]
async fn self_signed_ca_flagged_certificate_is_recorded_in_insecure_mode() {
    let (cert, key) = self_signed_ca_cert("localhost");
    let server = https_server_with(cert, key, BOTH).await;
    let options = ClientOptions {
        insecure: true,
        ..opts(None)
    };
    let exchange = send(&Request::get(localhost(&server)), &options)
        .await
        .expect("insecure exchange");
    let tls = exchange.hops[0].tls.clone().expect("tls info");
    assert_eq!(tls.verify_problem, Some(TlsProblem::UnknownIssuer));
    assert_eq!(
        tls.verify_error.as_deref(),
        Some("self-signed certificate for CN=localhost (not issued by a trusted CA)")
    );
}

#[tokio::test]
async fn not_yet_valid_certificate_says_from_when() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| {
        p.not_before = date_time_ymd(2090, 1, 1);
        p.not_after = date_time_ymd(2091, 1, 1);
    });
    let server = https_server(&leaf, BOTH).await;
    let err = send(&Request::get(localhost(&server)), &opts(Some(&ca)))
        .await
        .expect_err("not yet valid");
    let message = err.to_string();
    assert!(
        message.ends_with("certificate not yet valid: CN=localhost is valid from 2090-01-01"),
        "{message}"
    );
    assert_human(&message);
}

#[tokio::test]
async fn https_to_a_plain_http_port_says_it_is_not_tls() {
    let server = http_server().await;
    let err = send(&Request::get(localhost(&server)), &opts(None))
        .await
        .expect_err("plain port");
    assert_eq!(err.class(), FailureClass::Tls);
    let message = err.to_string();
    assert!(
        message.ends_with("the server did not answer with tls (is the port plain http?)"),
        "{message}"
    );
    assert_human(&message);
}

#[tokio::test]
async fn server_closing_during_the_handshake_says_so() {
    let server = raw_server(b"").await;
    let err = send(&Request::get(localhost(&server)), &opts(None))
        .await
        .expect_err("closed");
    let message = err.to_string();
    assert!(
        message.ends_with("the server closed the connection during the handshake"),
        "{message}"
    );
    assert_human(&message);
}
