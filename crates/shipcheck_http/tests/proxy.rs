//! Requests through an HTTP proxy: a tiny forwarding proxy in the test records what it is
//! asked (CONNECT for https, absolute-form for http) (issue 9.12).
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use shipcheck_http::{Client, HttpError, ProxyConfig, Request, RequestOptions};
use support::{Ca, http_server, https_server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A forwarding proxy; `refuse` answers every CONNECT with 407.
struct TestProxy {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestProxy {
    async fn start(refuse: bool) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let _ = relay(client, seen, refuse).await;
                });
            }
        });
        TestProxy { url, heads, task }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("heads").clone()
    }
}

async fn relay(
    mut client: TcpStream,
    seen: Arc<Mutex<Vec<String>>>,
    refuse: bool,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(client.read_u8().await?);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    seen.lock().expect("heads").push(text.clone());
    let request_line = text.lines().next().unwrap_or_default().to_owned();
    let mut words = request_line.split_whitespace();
    let method = words.next().unwrap_or_default();
    let target = words.next().unwrap_or_default();
    if method == "CONNECT" {
        if refuse {
            client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
                .await?;
            return Ok(());
        }
        let mut origin = TcpStream::connect(target).await?;
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        tokio::io::copy_bidirectional(&mut client, &mut origin).await?;
    } else {
        let url = url::Url::parse(target).map_err(std::io::Error::other)?;
        let addr = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(80)
        );
        let mut origin = TcpStream::connect(addr).await?;
        origin.write_all(&head).await?;
        tokio::io::copy_bidirectional(&mut client, &mut origin).await?;
    }
    Ok(())
}

fn opts() -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(10),
        ..RequestOptions::default()
    }
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_proxy_credentials() {
    let proxy = TestProxy::start(false).await;
    let ca = Ca::new();
    let server = https_server(&ca.leaf(&["localhost"]), &[b"h2", b"http/1.1"]).await;
    let with_creds = proxy.url.replace("http://", "http://ops:pw-FAKE@");
    let config = ProxyConfig::from_values(None, Some(&with_creds), None).expect("config");
    let client = Client::builder()
        .extra_ca_pem(ca.pem.clone())
        .proxy(config)
        .build()
        .expect("client");
    let url =
        url::Url::parse(&format!("https://localhost:{}/json", server.addr.port())).expect("url");
    let exchange = client
        .send(&Request::get(url), &opts())
        .await
        .expect("exchange");
    let hop = &exchange.hops[0];
    assert_eq!(hop.response.status, 200);
    assert_eq!(
        hop.response.version, "HTTP/2",
        "TLS and ALPN are end to end"
    );
    assert!(hop.timings.tls_ms.is_some());
    let proxy_label = proxy.url.trim_start_matches("http://").to_owned();
    assert_eq!(hop.via_proxy.as_deref(), Some(proxy_label.as_str()));
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let expected = format!("CONNECT localhost:{} HTTP/1.1\r\n", server.addr.port());
    assert!(heads[0].starts_with(&expected), "{heads:?}");
    // base64("ops:pw-FAKE")
    assert!(
        heads[0].contains("proxy-authorization: Basic b3BzOnB3LUZBS0U=\r\n"),
        "{heads:?}"
    );
}

#[tokio::test]
async fn http_goes_to_the_proxy_in_absolute_form() {
    let proxy = TestProxy::start(false).await;
    let server = http_server().await;
    let config = ProxyConfig::from_values(Some(&proxy.url), None, None).expect("config");
    let client = Client::builder().proxy(config).build().expect("client");
    let url = server.url("http", "/echo");
    let exchange = client
        .send(&Request::get(url.clone()), &opts())
        .await
        .expect("exchange");
    assert_eq!(exchange.hops[0].response.status, 200);
    let heads = proxy.heads();
    assert!(
        heads[0].starts_with(&format!("GET {url} HTTP/1.1\r\n")),
        "{heads:?}"
    );
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn no_proxy_hosts_are_reached_directly() {
    let proxy = TestProxy::start(false).await;
    let server = http_server().await;
    let config = ProxyConfig::from_values(
        Some(&proxy.url),
        Some(&proxy.url),
        Some("localhost,127.0.0.1"),
    )
    .expect("config");
    let client = Client::builder().proxy(config).build().expect("client");
    let exchange = client
        .send(&Request::get(server.url("http", "/json")), &opts())
        .await
        .expect("exchange");
    assert_eq!(exchange.hops[0].response.status, 200);
    assert_eq!(exchange.hops[0].via_proxy, None);
    assert!(proxy.heads().is_empty());
}

#[tokio::test]
async fn a_refused_tunnel_is_a_connect_error_naming_the_proxy() {
    let proxy = TestProxy::start(true).await;
    let config = ProxyConfig::from_values(None, Some(&proxy.url), None).expect("config");
    let client = Client::builder().proxy(config).build().expect("client");
    let url = url::Url::parse("https://localhost:9/").expect("url");
    let err = client
        .send(&Request::get(url), &opts())
        .await
        .expect_err("refused");
    assert!(matches!(err, HttpError::Connect { .. }), "{err:?}");
    let proxy_label = proxy.url.trim_start_matches("http://");
    assert_eq!(
        err.to_string(),
        format!(
            "connect to localhost:9 through proxy {proxy_label}: the proxy refused the tunnel: \
             HTTP/1.1 407 Proxy Authentication Required"
        )
    );
}
