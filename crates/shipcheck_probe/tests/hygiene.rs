//! HTTPS hygiene on `http` checks and the `cors` probe, against a private nginx with TLS
//! (HSTS, security headers, session cookies, CORS preflights, an http → https redirect).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use shipcheck_report::AssertionResult;
use support::*;

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

const TLS_SITE: &str = r#"
    location = /good {
        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
        add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
        add_header Set-Cookie "session=abc123; Path=/; Secure; HttpOnly; SameSite=Lax" always;
        add_header Set-Cookie "prefs=dark; Path=/; Secure; HttpOnly; SameSite=Strict" always;
        return 200 ok;
    }
    location = /weak {
        add_header Strict-Transport-Security "max-age=300" always;
        add_header X-Frame-Options DENY always;
        add_header Set-Cookie "session=abc123; Path=/" always;
        return 200 ok;
    }
    location /api/ {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin "http://localhost:3000";
            add_header Access-Control-Allow-Methods "GET, POST, DELETE";
            add_header Access-Control-Allow-Headers "authorization, content-type";
            add_header Access-Control-Allow-Credentials true;
            return 204;
        }
        return 200 ok;
    }
    location /echo/ {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $http_origin;
            add_header Access-Control-Allow-Methods "GET";
            return 204;
        }
        return 200 ok;
    }
"#;

#[tokio::test]
async fn nginx_hygiene_headers_cookies_redirects_and_cors() {
    let ca = Ca::new();
    let leaf = ca.leaf_with(&["localhost"], |p| valid_between(p, -1, 90));
    let Some(nginx) = start_nginx(
        &leaf,
        &[
            TLS_SITE,
            "plain; location / { return 301 https://$host$request_uri; }",
            "plain; location / { return 302 http://$host:8080$request_uri; }",
        ],
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
    let tls = nginx.ports[0];
    let run_check = |yaml: String| {
        let c = check(&yaml, dir.path());
        async move { run(&c).await.unwrap().1 }
    };

    // Everything right.
    let results = run_check(format!(
        "  - id: h\n    http: {{ get: \"https://localhost:{tls}/good\", ca_file: ca.pem }}\n    expect:\n      status: 200\n      hsts: {{ max_age: {{ at_least: 15552000 }}, include_subdomains: true }}\n      security_headers: true\n      cookies:\n        session: {{ secure: true, http_only: true, same_site: [Lax, Strict] }}\n        \"*\": {{ secure: true, http_only: true }}\n"
    ))
    .await;
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 9);

    // Each weakness is its own failed assertion, saying what is wrong.
    let results = run_check(format!(
        "  - id: h\n    http: {{ get: \"https://localhost:{tls}/weak\", ca_file: ca.pem }}\n    expect:\n      hsts: {{ max_age: {{ at_least: 15552000 }}, include_subdomains: true }}\n      security_headers: true\n      cookies: {{ session: {{ secure: true, http_only: true, same_site: Lax }} }}\n"
    ))
    .await;
    let bad: Vec<&str> = failed(&results)
        .iter()
        .map(|r| r.subject.as_str())
        .collect();
    assert_eq!(
        bad,
        [
            "hsts max-age",
            "hsts includeSubDomains",
            "security headers",
            "cookie session secure",
            "cookie session http_only",
            "cookie session same_site"
        ],
        "{results:#?}"
    );
    let sec = results
        .iter()
        .find(|r| r.subject == "security headers")
        .unwrap();
    assert!(
        sec.actual.contains(
            "missing: content-security-policy, x-content-type-options: nosniff, referrer-policy"
        ),
        "{}",
        sec.actual
    );

    // http → https: a 301 to the same host passes; a 302 to http fails saying why.
    let results = run_check(format!(
        "  - id: r\n    http: {{ get: \"http://127.0.0.1:{}/x?y=1\" }}\n    expect: {{ https_redirect: true }}\n",
        nginx.ports[1]
    ))
    .await;
    assert!(failed(&results).is_empty(), "{results:#?}");
    let results = run_check(format!(
        "  - id: r\n    http: {{ get: \"http://127.0.0.1:{}/x?y=1\" }}\n    expect: {{ https_redirect: {{ port: 8443 }} }}\n",
        nginx.ports[1]
    ))
    .await;
    assert!(
        results[0].actual.contains("is not on port 8443"),
        "{results:#?}"
    );
    let results = run_check(format!(
        "  - id: r\n    http: {{ get: \"http://127.0.0.1:{}/x\" }}\n    expect: {{ https_redirect: true }}\n",
        nginx.ports[2]
    ))
    .await;
    assert!(
        results[0].actual.contains("status 302, not 301 or 308"),
        "{results:#?}"
    );

    // CORS: allowed origin, method, headers and credentials; the other origin not echoed.
    let results = run_check(format!(
        "  - id: c\n    cors: {{ url: \"https://localhost:{tls}/api/v1/vehicles\", origin: \"http://localhost:3000\", method: DELETE, headers: [Authorization], ca_file: ca.pem }}\n    expect: {{ credentials: true, methods: {{ contains: DELETE }} }}\n"
    ))
    .await;
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 4);
    // A header that is not allowed, and an endpoint that echoes any origin.
    let results = run_check(format!(
        "  - id: c\n    cors: {{ url: \"https://localhost:{tls}/api/v1/vehicles\", origin: \"http://localhost:3000\", headers: [x-debug], ca_file: ca.pem }}\n"
    ))
    .await;
    assert!(
        results[0].actual.contains("headers not allowed: x-debug"),
        "{results:#?}"
    );
    let results = run_check(format!(
        "  - id: c\n    cors: {{ url: \"https://localhost:{tls}/echo/\", origin: \"http://localhost:3000\", disallowed_origin: \"https://evil.example\", ca_file: ca.pem }}\n"
    ))
    .await;
    let bad = failed(&results);
    assert_eq!(bad.len(), 1, "{results:#?}");
    assert!(
        bad[0]
            .actual
            .contains("https://evil.example got allow-origin https://evil.example")
    );
}
