//! `http` checks honour the proxy environment (issue 9.12): `HTTPS_PROXY` tunnels https with
//! `CONNECT`, `http_proxy` forwards plain http, `NO_PROXY` bypasses both — for `http`
//! checks and the kinds that share their client (`metrics` here). Run through the
//! binary so the variables are set for its process only; a small proxy in the test records
//! what it is asked.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use shipcheck_test_support::{Ca, Listen, Nginx};
use support::shipcheck;

/// A forwarding proxy on loopback: the head of every request it is asked is recorded.
struct Proxy {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || relay(client, &seen));
            }
        });
        Proxy { url, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn relay(mut client: TcpStream, seen: &Mutex<Vec<String>>) -> Option<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        client.read_exact(&mut byte).ok()?;
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    seen.lock().unwrap().push(text.clone());
    let mut words = text.split_whitespace();
    let method = words.next()?.to_owned();
    let target = words.next()?.to_owned();
    let mut origin = if method == "CONNECT" {
        let origin = TcpStream::connect(&target).ok()?;
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .ok()?;
        origin
    } else {
        // Absolute form: `http://host:port/path`.
        let authority = target.strip_prefix("http://")?.split('/').next()?;
        let mut origin = TcpStream::connect(authority).ok()?;
        origin.write_all(&head).ok()?;
        origin
    };
    let mut client_read = client.try_clone().ok()?;
    let mut origin_write = origin.try_clone().ok()?;
    let upstream = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut origin_write);
        let _ = origin_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut origin, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
    let _ = upstream.join();
    Some(())
}

#[test]
fn http_checks_go_through_the_proxies_of_the_environment() {
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost"]);
    let Some(nginx) = Nginx::builder()
        .tls_identity(&leaf.cert_pem, &leaf.key_pem)
        .server(Listen::Https, "location / { return 200 secure; }")
        .server(
            Listen::Http,
            "location / { return 200 plain; } location = /metrics { default_type text/plain; return 200 \"up 1\\n\"; }",
        )
        .start()
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), &ca.pem).unwrap();
    let (tls, plain) = (nginx.ports[0], nginx.ports[1]);
    std::fs::write(
        dir.path().join("plan.yaml"),
        format!(
            "name: proxied\nchecks:\n  - id: tls\n    http: {{ get: \"https://localhost:{tls}/\", ca_file: ca.pem }}\n    expect: {{ body: secure }}\n  - id: plain\n    http: {{ get: \"http://localhost:{plain}/\" }}\n    expect: {{ body: plain }}\n  - id: metrics\n    metrics: \"http://localhost:{plain}/metrics\"\n    expect: {{ series: {{ up: 1 }} }}\n"
        ),
    )
    .unwrap();
    let args = ["verify", "plan.yaml"];

    let proxy = Proxy::start();
    let env = [
        ("HTTPS_PROXY", proxy.url.as_str()),
        ("http_proxy", proxy.url.as_str()),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
    ];
    let run = shipcheck(&args, &env, dir.path());
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut heads = proxy.heads();
    heads.sort();
    assert_eq!(heads.len(), 3, "{heads:?}");
    assert!(
        heads[0].starts_with(&format!("CONNECT localhost:{tls} HTTP/1.1")),
        "{heads:?}"
    );
    assert!(
        heads[1].starts_with(&format!("GET http://localhost:{plain}/ HTTP/1.1")),
        "{heads:?}"
    );
    // Document kinds (metrics, openapi) send through the same client.
    assert!(
        heads[2].starts_with(&format!("GET http://localhost:{plain}/metrics HTTP/1.1")),
        "{heads:?}"
    );

    // NO_PROXY bypasses it.
    let proxy = Proxy::start();
    let env = [
        ("HTTPS_PROXY", proxy.url.as_str()),
        ("http_proxy", proxy.url.as_str()),
        ("NO_PROXY", "localhost"),
    ];
    let run = shipcheck(&args, &env, dir.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(proxy.heads().is_empty(), "{:?}", proxy.heads());
}
