//! Client certificates (mutual TLS) against nginx with `ssl_verify_client on` (issue 9.12).
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

use std::time::Duration;

use shipcheck_http::{Client, ClientIdentity, HttpError, Request, RequestOptions};
use shipcheck_test_support::{Ca, Listen, Nginx};

fn opts() -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(10),
        ..RequestOptions::default()
    }
}

#[tokio::test]
async fn nginx_requiring_a_client_certificate_accepts_ours_and_refuses_none() {
    let server_ca = Ca::new();
    let client_ca = Ca::new();
    let server = server_ca.leaf(&["localhost", "127.0.0.1"]);
    let builder = Nginx::builder()
        .tls_identity(&server.cert_pem, &server.key_pem)
        .file("client-ca.pem", &client_ca.pem);
    let client_ca_path = builder.dir().join("client-ca.pem");
    let Some(nginx) = builder
        .server(
            Listen::Https,
            format!(
                "    ssl_verify_client on;\n    ssl_client_certificate {};\n    \
                 location / {{ return 200 \"client $ssl_client_s_dn\\n\"; }}",
                client_ca_path.display()
            ),
        )
        .start()
    else {
        return;
    };
    let url = url::Url::parse(&format!("https://localhost:{}/", nginx.ports[0])).expect("url");

    let ours = client_ca.leaf(&["ops-client"]);
    let identity =
        ClientIdentity::from_pem(ours.cert_pem.as_bytes(), ours.key_pem.as_bytes()).expect("id");
    let client = Client::builder()
        .extra_ca_pem(server_ca.pem.clone())
        .client_identity(identity)
        .build()
        .expect("client");
    let exchange = client
        .send(&Request::get(url.clone()), &opts())
        .await
        .expect("mtls exchange");
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.status, 200);
    assert_eq!(
        String::from_utf8_lossy(&hop.response.body),
        "client CN=ops-client\n"
    );

    // Without a certificate nginx answers 400 (it does not fail the handshake).
    let anonymous = Client::builder()
        .extra_ca_pem(server_ca.pem.clone())
        .build()
        .expect("client");
    let exchange = anonymous
        .send(&Request::get(url.clone()), &opts())
        .await
        .expect("exchange");
    assert_eq!(exchange.hops[0].response.status, 400);

    // A certificate from a CA nginx does not trust is refused too.
    let stranger = Ca::new().leaf(&["stranger"]);
    let identity =
        ClientIdentity::from_pem(stranger.cert_pem.as_bytes(), stranger.key_pem.as_bytes())
            .expect("id");
    let untrusted = Client::builder()
        .extra_ca_pem(server_ca.pem.clone())
        .client_identity(identity)
        .build()
        .expect("client");
    match untrusted.send(&Request::get(url), &opts()).await {
        Ok(exchange) => assert_eq!(exchange.hops[0].response.status, 400),
        Err(e) => assert!(matches!(e, HttpError::Tls { .. }), "{e}"),
    }
}

#[test]
fn unusable_client_certificate_pem_is_a_tls_config_error() {
    let err = ClientIdentity::from_pem(b"not pem", b"not pem").expect_err("bad pem");
    assert!(
        err.to_string()
            .starts_with("tls configuration: client certificate PEM holds no certificate"),
        "{err}"
    );
    let ca = Ca::new();
    let leaf = ca.leaf(&["x"]);
    let err = ClientIdentity::from_pem(leaf.cert_pem.as_bytes(), b"no key here").expect_err("key");
    assert_eq!(
        err.to_string(),
        "tls configuration: client key PEM: no key found"
    );
    let truncated = &leaf.key_pem[..leaf.key_pem.len() / 2];
    let err = ClientIdentity::from_pem(leaf.cert_pem.as_bytes(), truncated.as_bytes())
        .expect_err("truncated key");
    assert_eq!(
        err.to_string(),
        "tls configuration: client key PEM: a PEM section has no end marker"
    );
}
