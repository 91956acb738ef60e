//! A reusable [`Client`]: one TLS configuration, and with keep-alive one connection reused
//! across requests (issue 8.5).
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::time::Duration;

use shipcheck_http::{Client, Exchange, Request, RequestOptions};
use support::{Ca, http_server, https_server, raw_server};

fn opts() -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(10),
        ..RequestOptions::default()
    }
}

async fn get(client: &Client, url: &url::Url) -> Exchange {
    client
        .send(&Request::get(url.clone()), &opts())
        .await
        .expect("exchange")
}

#[tokio::test]
async fn keep_alive_reuses_one_connection_and_records_no_set_up_phases() {
    let server = http_server().await;
    let client = Client::builder().keep_alive(2).build().expect("client");
    let url = server.url("http", "/json");
    let first = get(&client, &url).await;
    let second = get(&client, &url).await;
    let third = get(&client, &url).await;
    assert_eq!(server.connections(), 1, "one connection for three requests");

    let fresh = &first.hops[0];
    assert!(!fresh.reused_connection);
    assert!(fresh.timings.connect_ms.is_some(), "{:?}", fresh.timings);
    for hop in [&second.hops[0], &third.hops[0]] {
        assert_eq!(hop.response.status, 200);
        assert!(hop.reused_connection);
        let t = hop.timings;
        assert_eq!(
            (t.dns_ms, t.connect_ms, t.tls_ms),
            (None, None, None),
            "{t:?}"
        );
        assert!(t.first_byte_ms.is_some() && t.total_ms > 0.0, "{t:?}");
        assert_eq!(hop.remote_addr, Some(server.addr));
    }
    assert_eq!(client.idle_connections(), 1);
}

#[tokio::test]
async fn without_keep_alive_every_request_opens_its_own_connection() {
    let server = http_server().await;
    let client = Client::builder().build().expect("client");
    let url = server.url("http", "/json");
    for _ in 0..3 {
        let exchange = get(&client, &url).await;
        assert!(!exchange.hops[0].reused_connection);
    }
    assert_eq!(server.connections(), 3);
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn keep_alive_over_tls_does_one_handshake_for_h2_and_http11() {
    let ca = Ca::new();
    for alpn in [&[b"h2".as_slice(), b"http/1.1"][..], &[b"http/1.1"]] {
        let server = https_server(&ca.leaf(&["localhost"]), alpn).await;
        let client = Client::builder()
            .extra_ca_pem(ca.pem.clone())
            .keep_alive(1)
            .build()
            .expect("client");
        let url = url::Url::parse(&format!("https://localhost:{}/json", server.addr.port()))
            .expect("url");
        let first = get(&client, &url).await;
        let second = get(&client, &url).await;
        assert_eq!(server.connections(), 1);
        assert!(first.hops[0].timings.tls_ms.is_some());
        let hop = &second.hops[0];
        assert!(hop.reused_connection);
        assert_eq!(hop.timings.tls_ms, None);
        // The session facts of the reused connection are still on the hop.
        assert_eq!(hop.tls, first.hops[0].tls);
        assert_eq!(hop.response.version, first.hops[0].response.version);
    }
}

#[tokio::test]
async fn a_pooled_connection_the_server_closed_is_replaced_by_a_new_one() {
    // Answers keep-alive style, then closes the connection anyway.
    let server = raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
    let client = Client::builder().keep_alive(1).build().expect("client");
    let url = server.url("http", "/");
    let first = get(&client, &url).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = get(&client, &url).await;
    assert_eq!(first.hops[0].response.status, 200);
    assert_eq!(second.hops[0].response.status, 200);
    assert!(!second.hops[0].reused_connection);
    assert!(second.hops[0].timings.connect_ms.is_some());
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_body_cut_at_max_body_does_not_return_its_connection_to_the_pool() {
    let server = http_server().await;
    let client = Client::builder().keep_alive(2).build().expect("client");
    let options = RequestOptions {
        max_body: 1024,
        ..opts()
    };
    let exchange = client
        .send(&Request::get(server.url("http", "/big")), &options)
        .await
        .expect("exchange");
    assert!(exchange.hops[0].response.body_truncated);
    assert_eq!(client.idle_connections(), 0);
}

#[tokio::test]
async fn the_pool_keeps_at_most_its_bound_per_origin() {
    let server = http_server().await;
    let client = Client::builder().keep_alive(2).build().expect("client");
    let url = server.url("http", "/json");
    let all = concurrently(&client, &url, 6).await;
    assert_eq!(all, 6);
    assert!(
        client.idle_connections() <= 2,
        "{}",
        client.idle_connections()
    );
}

/// `n` requests at once through clones of `client`; how many completed with one hop.
async fn concurrently(client: &Client, url: &url::Url, n: usize) -> usize {
    let mut handles = Vec::new();
    for _ in 0..n {
        let client = client.clone();
        let url = url.clone();
        handles.push(tokio::spawn(async move {
            client
                .send(&Request::get(url), &opts())
                .await
                .map(|e| e.hops.len())
        }));
    }
    let mut done = 0;
    for handle in handles {
        if matches!(handle.await, Ok(Ok(1))) {
            done += 1;
        }
    }
    done
}

#[tokio::test]
async fn a_bad_extra_ca_fails_when_the_client_is_built() {
    let err = Client::builder()
        .extra_ca_pem(b"not a certificate".to_vec())
        .build()
        .expect_err("bad pem");
    assert_eq!(err.class(), shipcheck_report::FailureClass::Tls);
    assert!(err.to_string().starts_with("tls configuration: "), "{err}");
}

/// A request dropped mid-exchange (a check's timeout) closes its socket there and then,
/// not when the runtime next runs the aborted connection task: on a current-thread runtime
/// that task cannot run until the test yields, yet the server already reads end of stream.
#[tokio::test(flavor = "current_thread")]
async fn a_dropped_request_closes_its_socket_before_the_runtime_runs_again() {
    use std::io::Read as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = url::Url::parse(&format!(
        "http://{}/hang",
        listener.local_addr().expect("addr")
    ))
    .expect("url");
    let client = Client::builder().build().expect("client");
    let (request, options) = (Request::get(url), opts());
    // Long enough to connect and send; the server never answers.
    let cut =
        tokio::time::timeout(Duration::from_millis(300), client.send(&request, &options)).await;
    assert!(cut.is_err(), "the request timed out");
    // No `.await` from here on: the runtime runs no task while the server side reads.
    let (mut server, _) = listener.accept().expect("accept");
    server
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut seen = Vec::new();
    let read = server.read_to_end(&mut seen);
    assert!(
        matches!(read, Ok(n) if n > 0),
        "the server read the request, then end of stream: {read:?}"
    );
    assert!(seen.starts_with(b"GET /hang"), "{seen:?}");
}
