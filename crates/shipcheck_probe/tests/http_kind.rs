//! The `http` kind against real servers on loopback (a private nginx, and a small echo server
//! that answers with the request it received): implied status, credentials on cross-origin
//! redirects, compressed and binary bodies, cookies along a chain, Basic credentials, client
//! certificates, multipart, redirect assertions, expected errors and sampled latency.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use shipcheck_report::AssertionResult;
use shipcheck_test_support::Listen;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

/// A server on `ip` answering `/redirect?to=URL` with a 302 to URL and anything else with
/// 200 and the request it received (head and body) as the body (`/slow` after 150 ms).
async fn echo_server(ip: &str) -> Server {
    let listener = TcpListener::bind(format!("{ip}:0")).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).into_owned();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if got.len() < end + 4 + length {
                        continue;
                    }
                    break;
                }
                let text = String::from_utf8_lossy(&got).into_owned();
                let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                if path == "/slow" {
                    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
                }
                let answer = match path.strip_prefix("/redirect?to=") {
                    Some(to) => format!(
                        "HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    ),
                    None => format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    ),
                };
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Server::new(addr, task)
}

fn plain_nginx(body: &str) -> Option<Nginx> {
    Nginx::builder().server(Listen::Http, body).start()
}

/// Fails before 9.1: a check with no `expect` passed on a 404.
#[tokio::test]
async fn a_check_without_expectations_fails_on_a_404() {
    let Some(nginx) = plain_nginx("location / { return 404; }") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: h\n    http: {{ get: \"{}/does-not-exist\" }}\n",
            nginx.url()
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    let bad = failed(&results);
    assert_eq!(bad.len(), 1, "{results:#?}");
    assert_eq!(
        (bad[0].subject.as_str(), bad[0].actual.as_str()),
        ("status", "404")
    );

    // A written status replaces the implied one.
    let c = check(
        &format!(
            "  - id: h\n    http: {{ get: \"{}/gone\" }}\n    expect: {{ status: 404 }}\n",
            nginx.url()
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(results.len(), 1);
    assert!(failed(&results).is_empty(), "{results:#?}");
}

/// Fails before 9.9: `X-Api-Key: <declared secret>` followed a redirect to another host.
#[tokio::test]
async fn a_header_holding_a_secret_is_not_sent_to_another_origin() {
    let here = echo_server("127.0.0.1").await;
    let Ok(listener) = std::net::TcpListener::bind("127.0.0.2:0") else {
        shipcheck_test_support::skip_or_fail("127.0.0.2 on loopback");
        return;
    };
    drop(listener);
    let there = echo_server("127.0.0.2").await;
    let dir = tempfile::tempdir().unwrap();
    let secret = "sk-live-0123456789abcdef";
    let c = check(
        &format!(
            "  - id: h\n    http:\n      get: \"http://{}/redirect?to=http://{}/landing\"\n      headers: {{ X-Api-Key: \"{secret}\", X-Plain: visible }}\n      follow_redirects: 1\n",
            here.addr, there.addr
        ),
        dir.path(),
    );
    let env = RunEnv {
        sensitive: vec![secret.to_owned()],
        ..RunEnv::default()
    };
    let (observed, results) = run_in(&c, &env).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    let response = observed
        .evidence
        .iter()
        .find(|e| e.label == "response (hop 2 of 2)")
        .expect("second hop");
    // The body is what 127.0.0.2 received.
    assert!(
        response.text.contains("x-plain: visible") || response.text.contains("X-Plain: visible"),
        "{}",
        response.text
    );
    assert!(!response.text.contains(secret), "{}", response.text);
    let request = observed
        .evidence
        .iter()
        .find(|e| e.label == "request (hop 2 of 2)")
        .expect("second request");
    assert!(
        request
            .text
            .to_ascii_lowercase()
            .contains("[not sent to this origin] x-api-key"),
        "{}",
        request.text
    );

    // Without the value declared sensitive, the header is an ordinary one (control).
    let (observed, _) = run(&c).await.unwrap();
    assert!(observed.evidence.iter().any(|e| e.text.contains(secret)));
}

const NGINX_SITE: &str = r#"
    gzip on; gzip_min_length 1; gzip_types application/json;
    location = /data.json { default_type application/json; root DIR; }
    location = /blob.bin { default_type application/octet-stream; root DIR; }
    location = /login { add_header Set-Cookie "session=s3ss10n-abcdef; Path=/; HttpOnly"; return 200 ok; }
    location = /me { if ($cookie_session = "s3ss10n-abcdef") { return 200 "me"; } return 401; }
    location = /basic { if ($http_authorization = "Basic b3BzOnBhc3N3b3JkLTEyMzQ=") { return 200 "in"; } return 401; }
    location = /hop1 { return 302 /hop2; }
    location = /hop2 { return 302 /end; }
    location = /end { return 200 end; }
    location = /health { return 200 ok; }
"#;

fn site() -> Option<Nginx> {
    let builder = Nginx::builder();
    let dir = builder.dir().to_path_buf();
    let json = format!("{{\"ok\":true,\"pad\":\"{}\"}}", "x".repeat(4000));
    builder
        .file("data.json", json)
        .file(
            "blob.bin",
            [0u8, 1, 2, 3, 0x1b, b'[', b'2', b'J', 0, 0xff, 0xfe],
        )
        .server(
            Listen::Http,
            NGINX_SITE.replace("DIR", &dir.display().to_string()),
        )
        .start()
}

/// Fails before 9.2/9.10: no `compressed` key, and bodies were copied raw into evidence.
#[tokio::test]
async fn compressed_bodies_are_decoded_and_binary_bodies_are_excerpted() {
    let Some(nginx) = site() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: h\n    http: {{ get: \"{}/data.json\", compressed: true }}\n    expect: {{ json: {{ \"$.ok\": true }} }}\n",
            nginx.url()
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    let response = &observed.evidence[1].text;
    assert!(
        response.contains("[decoded] content-encoding gzip:"),
        "{response}"
    );
    let size = |name: &str| {
        observed
            .measurements
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    };
    let (wire, decoded) = (size("body_size").unwrap(), size("decoded_size").unwrap());
    assert!(wire < decoded && decoded > 4000.0, "{wire} {decoded}");

    let c = check(
        &format!(
            "  - id: b\n    http: {{ get: \"{}/blob.bin\" }}\n",
            nginx.url()
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    let response = &observed.evidence[1].text;
    assert!(
        !response.chars().any(|c| c == '\0' || c == '\x1b'),
        "{response:?}"
    );
    assert!(response.contains("application/octet-stream"), "{response}");
}

/// Fails before 9.12: no cookie jar along `needs`, no `basic_auth`, no redirect assertions.
#[tokio::test]
async fn cookies_follow_the_chain_basic_auth_and_redirect_assertions() {
    let Some(nginx) = site() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = nginx.url();
    let login = check(
        &format!("  - id: login\n    http: {{ get: \"{url}/login\" }}\n"),
        dir.path(),
    );
    let me = check(
        &format!("  - id: me\n    http: {{ get: \"{url}/me\" }}\n    expect: {{ status: 200 }}\n"),
        dir.path(),
    );
    let chain = RunEnv::default();
    let (_, results) = run_in(&me, &chain).await.unwrap();
    assert_eq!(results[0].actual, "401", "no session yet");
    let (observed, _) = run_in(&login, &chain).await.unwrap();
    assert!(observed.sent_secrets.iter().any(|s| s == "s3ss10n-abcdef"));
    let (_, results) = run_in(&me, &chain).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    // Another chain has its own jar.
    let (_, results) = run_in(&me, &RunEnv::default()).await.unwrap();
    assert_eq!(results[0].actual, "401");

    let basic = |password: &str| {
        check(
            &format!(
                "  - id: b\n    http: {{ get: \"{url}/basic\", basic_auth: {{ user: ops, password: \"{password}\" }} }}\n"
            ),
            dir.path(),
        )
    };
    let (observed, results) = run(&basic("password-1234")).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert!(observed.sent_secrets.iter().any(|s| s == "password-1234"));
    assert!(
        observed
            .evidence
            .iter()
            .all(|e| !e.text.contains("b3BzOnBhc3N3b3JkLTEyMzQ="))
    );
    let (_, results) = run(&basic("wrong-password")).await.unwrap();
    assert_eq!(results[0].actual, "401");

    let c = check(
        &format!(
            "  - id: r\n    http: {{ get: \"{url}/hop1\", follow_redirects: 5 }}\n    expect: {{ redirects: 2, final_url: {{ regex: \"/end$\" }} }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    let c = check(
        &format!(
            "  - id: r\n    http: {{ get: \"{url}/hop1\", follow_redirects: 1 }}\n    expect: {{ status: 3xx, redirects: 2 }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(
        failed(&results)
            .iter()
            .map(|r| r.actual.as_str())
            .collect::<Vec<_>>(),
        ["1"]
    );
}

/// Fails before 9.12: multipart bodies and `error: timeout` did not exist.
#[tokio::test]
async fn multipart_upload_and_an_expected_timeout() {
    let echo = echo_server("127.0.0.1").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.csv"), "a,b\n1,2\n").unwrap();
    let c = check(
        &format!(
            "  - id: m\n    http:\n      post: \"http://{}/upload\"\n      multipart:\n        note: hello\n        report: {{ file: report.csv, content_type: text/csv }}\n    expect:\n      body: {{ contains: \"filename=\\\"report.csv\\\"\" }}\n",
            echo.addr
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    let body = &observed.evidence[1].text;
    assert!(body.contains("multipart/form-data; boundary="), "{body}");
    assert!(
        body.contains("a,b\n1,2") && body.contains("hello"),
        "{body}"
    );

    let stall = stalling_server().await;
    let timeout_check = |expect: &str| {
        check(
            &format!(
                "  - id: t\n    timeout: 300ms\n    http: {{ get: \"http://{}/\" }}\n    expect: {{ {expect} }}\n",
                stall.addr
            ),
            dir.path(),
        )
    };
    let (_, results) = run(&timeout_check("error: timeout")).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 1, "no status implied: {results:#?}");
    let err = run(&timeout_check("status: 200")).await.unwrap_err();
    assert_eq!(err.class.as_str(), "timeout");
    // A response where a timeout was expected fails the expectation.
    let c = check(
        &format!(
            "  - id: t\n    http: {{ get: \"http://{}/\" }}\n    expect: {{ error: timeout }}\n",
            echo.addr
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(
        failed(&results)
            .iter()
            .map(|r| r.actual.as_str())
            .collect::<Vec<_>>(),
        ["none"]
    );
}

/// Fails before 9.13: one request was all a check could measure.
#[tokio::test]
async fn samples_report_percentiles_and_latency_bounds_them() {
    let Some(nginx) = site() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: s\n    http: {{ get: \"{}/health\", samples: 20 }}\n    expect:\n      latency: {{ p50: {{ under: 2s }}, p95: {{ under: 3s }}, max: {{ under: 5s }} }}\n",
            nginx.url()
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 4, "status implied + three bounds");
    let m = |name: &str| {
        observed
            .measurements
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(m("samples"), 20.0);
    assert!(m("p50") > 0.0 && m("p50") <= m("p95") && m("p95") <= m("max"));
    let tight = check(
        &format!(
            "  - id: s\n    http: {{ get: \"{}/health\", samples: 5 }}\n    expect: {{ latency: {{ p50: {{ over: 1h }} }} }}\n",
            nginx.url()
        ),
        dir.path(),
    );
    let (_, results) = run(&tight).await.unwrap();
    assert_eq!(failed(&results).len(), 1, "{results:#?}");
}

/// Fails before 9.12: `cert`/`key` were unknown keys, so mTLS endpoints could not be checked.
#[tokio::test]
async fn client_certificates_for_mutual_tls() {
    let server_ca = Ca::new();
    let client_ca = Ca::new();
    let server = server_ca.leaf(&["localhost"]);
    let builder = Nginx::builder()
        .tls_identity(&server.cert_pem, &server.key_pem)
        .file("client-ca.pem", &client_ca.pem);
    let client_ca_path = builder.dir().join("client-ca.pem");
    let Some(nginx) = builder
        .server(
            Listen::Https,
            format!(
                "    ssl_verify_client on;\n    ssl_client_certificate {};\n    \
                 location / {{ return 200 \"client $ssl_client_s_dn\"; }}",
                client_ca_path.display()
            ),
        )
        .start()
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ours = client_ca.leaf(&["ops-client"]);
    std::fs::write(dir.path().join("ca.pem"), &server_ca.pem).unwrap();
    std::fs::write(dir.path().join("client.pem"), &ours.cert_pem).unwrap();
    std::fs::write(dir.path().join("client-key.pem"), &ours.key_pem).unwrap();
    let port = nginx.ports[0];
    let c = check(
        &format!(
            "  - id: m\n    http: {{ get: \"https://localhost:{port}/\", ca_file: ca.pem, cert: client.pem, key: client-key.pem }}\n    expect: {{ body: {{ contains: ops-client }} }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");

    // Without a certificate nginx refuses the request (400): the implied 2xx fails.
    let c = check(
        &format!(
            "  - id: m\n    http: {{ get: \"https://localhost:{port}/\", ca_file: ca.pem }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(
        failed(&results)
            .iter()
            .map(|r| r.actual.as_str())
            .collect::<Vec<_>>(),
        ["400"]
    );

    // An unreadable key is an error naming the file.
    let c = check(
        &format!(
            "  - id: m\n    http: {{ get: \"https://localhost:{port}/\", ca_file: ca.pem, cert: client.pem, key: missing.pem }}\n"
        ),
        dir.path(),
    );
    let err = run(&c).await.unwrap_err();
    assert!(err.message.contains("missing.pem"), "{}", err.message);
}

/// The check's timeout bounds all its samples, not each one: five 150 ms answers do not fit
/// in 400 ms. Fails before: each sample had the whole timeout, so the attempt took 750 ms.
#[tokio::test]
async fn the_timeout_bounds_all_samples_together() {
    let echo = echo_server("127.0.0.1").await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: s\n    timeout: 400ms\n    http: {{ get: \"http://{}/slow\", samples: 5 }}\n",
            echo.addr
        ),
        dir.path(),
    );
    let started = std::time::Instant::now();
    let err = run(&c).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_millis(700));
    assert_eq!(err.class.as_str(), "timeout");
    assert!(err.message.contains("of 5)"), "{}", err.message);
}
