//! `Content-Encoding` bodies are decoded, bounded by `max_body` (issue 9.2).
#![allow(clippy::expect_used)] // helpers outside #[test] functions panic on set-up failure

mod support;

use std::time::Duration;

use shipcheck_http::{Client, Request, RequestOptions};
use shipcheck_test_support::{Listen, Nginx};
use support::{encoded_text, http_server};

fn opts() -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(20),
        ..RequestOptions::default()
    }
}

async fn get(url: url::Url, options: &RequestOptions) -> shipcheck_http::Hop {
    let client = Client::builder().build().expect("client");
    let exchange = client
        .send(&Request::get(url), options)
        .await
        .expect("exchange");
    exchange.hops.into_iter().next_back().expect("a hop")
}

#[tokio::test]
async fn gzip_deflate_zlib_and_brotli_bodies_are_decoded_with_both_sizes() {
    let server = http_server().await;
    let text = encoded_text();
    for (path, encoding) in [
        ("/encoded/gzip", "gzip"),
        ("/encoded/deflate", "deflate"),
        ("/encoded/raw-deflate", "deflate"),
        ("/encoded/br", "br"),
    ] {
        let hop = get(server.url("http", path), &opts()).await;
        let response = &hop.response;
        assert_eq!(String::from_utf8_lossy(&response.body), text, "{path}");
        assert!(!response.body_truncated, "{path}");
        let decoding = response.decoding.as_ref().expect("decoding recorded");
        assert_eq!(decoding.encoding, encoding, "{path}");
        assert_eq!(decoding.decoded_bytes, text.len() as u64, "{path}");
        assert_eq!(decoding.wire_bytes, response.body_bytes_read, "{path}");
        assert!(
            decoding.wire_bytes < decoding.decoded_bytes,
            "{path}: {decoding:?}"
        );
        assert!(
            !decoding.cut && decoding.problem.is_none(),
            "{path}: {decoding:?}"
        );
    }
}

#[tokio::test]
async fn a_decompression_bomb_is_cut_at_max_body_and_says_so() {
    let server = http_server().await;
    let options = RequestOptions {
        max_body: 1024 * 1024,
        ..opts()
    };
    let hop = get(server.url("http", "/bomb"), &options).await;
    let response = &hop.response;
    assert_eq!(response.body.len(), 1024 * 1024);
    assert!(response.body_truncated);
    let decoding = response.decoding.as_ref().expect("decoding recorded");
    assert!(decoding.cut, "{decoding:?}");
    assert_eq!(decoding.decoded_bytes, 1024 * 1024);
    // 64 MiB of zeros compress to ~64 KiB; far less than that was needed to fill 1 MiB.
    assert!(decoding.wire_bytes < 64 * 1024, "{decoding:?}");
    assert!(
        decoding.summary().contains("decompression bomb"),
        "{}",
        decoding.summary()
    );
}

#[tokio::test]
async fn a_corrupt_stream_keeps_the_reason() {
    let server = http_server().await;
    let hop = get(server.url("http", "/encoded/corrupt"), &opts()).await;
    let decoding = hop.response.decoding.as_ref().expect("decoding recorded");
    let problem = decoding.problem.as_deref().expect("a problem");
    assert!(
        problem.starts_with("the gzip stream is corrupt after"),
        "{problem}"
    );
    assert!(!hop.response.body_truncated);
}

#[tokio::test]
async fn compressed_asks_nginx_for_gzip_and_the_body_comes_back_decoded() {
    let json: String = format!(
        "[{}]",
        (0..300)
            .map(|i| format!(r#"{{"id":{i},"status":"ok"}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let builder = Nginx::builder().file("www/data.json", &json);
    let root = builder.dir().join("www");
    let Some(nginx) = builder
        .server(
            Listen::Http,
            format!(
                "    root {};\n    gzip on;\n    gzip_types application/json;\n    \
                 gzip_min_length 1;\n    types {{ application/json json; }}",
                root.display()
            ),
        )
        .start()
    else {
        return;
    };
    let url = url::Url::parse(&format!("{}/data.json", nginx.url())).expect("url");

    let plain = get(url.clone(), &opts()).await;
    assert!(
        plain.response.decoding.is_none(),
        "not asked, not compressed"
    );
    assert_eq!(String::from_utf8_lossy(&plain.response.body), json);

    let options = RequestOptions {
        compressed: true,
        ..opts()
    };
    let hop = get(url, &options).await;
    assert!(
        hop.request
            .headers
            .contains(&("accept-encoding".to_owned(), "gzip, deflate, br".to_owned())),
        "{:?}",
        hop.request.headers
    );
    assert_eq!(hop.response.header("content-encoding"), Some("gzip"));
    assert_eq!(String::from_utf8_lossy(&hop.response.body), json);
    let decoding = hop.response.decoding.as_ref().expect("decoding recorded");
    assert_eq!(decoding.decoded_bytes, json.len() as u64);
    assert!(decoding.wire_bytes < json.len() as u64 / 2, "{decoding:?}");
}

#[tokio::test]
async fn a_head_answer_with_content_encoding_is_not_a_corrupt_stream() {
    let server = http_server().await;
    let client = Client::builder().build().expect("client");
    let request = Request {
        method: http::Method::HEAD,
        ..Request::get(server.url("http", "/encoded/gzip"))
    };
    let exchange = client.send(&request, &opts()).await.expect("exchange");
    let response = &exchange.hops[0].response;
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    assert!(response.body.is_empty());
    let decoding = response.decoding.as_ref().expect("decoding recorded");
    assert_eq!(decoding.problem, None, "{decoding:?}");
}
