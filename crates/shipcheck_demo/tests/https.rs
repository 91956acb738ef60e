//! HTTPS with the CA generated at start: trusted with it, rejected without it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

mod common;

use std::sync::Arc;

use common::{authority, exchange, start};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use shipcheck_demo::Scenario;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

fn connector(roots: rustls::RootCertStore, alpn: &[&[u8]]) -> TlsConnector {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

fn demo_roots(ca_pem: &std::path::Path) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_pem).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    assert_eq!(roots.len(), 1);
    roots
}

fn port(url: &str) -> u16 {
    authority(url).rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn https_works_with_the_generated_ca_for_localhost_and_ip() {
    let demo = start(Scenario::Healthy).await;
    let port = port(&demo.server.https_url);
    let tls = connector(demo_roots(&demo.server.ca_pem_path), &[b"http/1.1"]);
    for name in ["localhost", "127.0.0.1"] {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let server_name = ServerName::try_from(name.to_owned()).unwrap();
        let stream = tls.connect(server_name, tcp).await.unwrap();
        let reply = exchange(
            stream,
            &format!("{name}:{port}"),
            "GET",
            "/health/live",
            &[],
            None,
        )
        .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["status"], "ok");
    }
    demo.server.shutdown().await;
}

#[tokio::test]
async fn https_offers_h2_by_alpn() {
    let demo = start(Scenario::Healthy).await;
    let tls = connector(demo_roots(&demo.server.ca_pem_path), &[b"h2", b"http/1.1"]);
    let tcp = TcpStream::connect(("127.0.0.1", port(&demo.server.https_url)))
        .await
        .unwrap();
    let stream = tls
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    drop(stream);
    demo.server.shutdown().await;
}

#[tokio::test]
async fn https_is_rejected_without_the_ca() {
    let demo = start(Scenario::Healthy).await;
    let tls = connector(rustls::RootCertStore::empty(), &[b"http/1.1"]);
    let tcp = TcpStream::connect(("127.0.0.1", port(&demo.server.https_url)))
        .await
        .unwrap();
    let err = tls
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    demo.server.shutdown().await;
}

#[tokio::test]
async fn https_rejects_a_name_the_certificate_does_not_cover() {
    let demo = start(Scenario::Healthy).await;
    let tls = connector(demo_roots(&demo.server.ca_pem_path), &[b"http/1.1"]);
    let tcp = TcpStream::connect(("127.0.0.1", port(&demo.server.https_url)))
        .await
        .unwrap();
    let err = tls
        .connect(ServerName::try_from("example.com").unwrap(), tcp)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not valid for name"), "{err}");
    demo.server.shutdown().await;
}
