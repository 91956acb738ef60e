//! The `tcp` and `dns` probes against loopback servers: a listening and a closed port, and an
//! in-process DNS responder on UDP (never /etc/hosts).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::time::{Duration, Instant};

use shipcheck_report::{AssertionResult, FailureClass};
use support::*;
use tokio::net::{TcpListener, UdpSocket};

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

#[tokio::test]
async fn tcp_open_and_closed_ports() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open = listener.local_addr().unwrap();
    let closed = closed_port().await;
    let dir = tempfile::tempdir().unwrap();

    let c = check(
        &format!("  - id: t\n    tcp: \"127.0.0.1:{}\"\n", open.port()),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");

    // A closed port fails the implied `open: true`, saying why…
    let c = check(
        &format!(
            "  - id: t\n    tcp: {{ host: 127.0.0.1, port: {} }}\n",
            closed.port()
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(failed(&results).len(), 1);
    assert!(results[0].actual.contains("refused"), "{results:#?}");

    // …and passes when a closed port is what the plan expects.
    let c = check(
        &format!(
            "  - id: t\n    tcp: \"127.0.0.1:{}\"\n    expect: {{ open: false, duration: {{ under: 2s }} }}\n",
            closed.port()
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
}

/// Answers `app.test` A with two addresses and AAAA with one, never answers `silent.test`,
/// and says NXDOMAIN for anything else.
async fn dns_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            let q = &buf[..n];
            // question name starts at 12; find its end
            let mut at = 12;
            let mut labels = Vec::new();
            while at < n && q[at] != 0 {
                let len = q[at] as usize;
                labels.push(String::from_utf8_lossy(&q[at + 1..at + 1 + len]).into_owned());
                at += 1 + len;
            }
            let qtype = u16::from_be_bytes([q[at + 1], q[at + 2]]);
            let question_end = at + 5;
            let name = labels.join(".");
            if name == "silent.test" {
                continue;
            }
            let answers: Vec<Vec<u8>> = match (name.as_str(), qtype) {
                ("app.test", 1) => vec![vec![10, 1, 2, 3], vec![10, 1, 2, 4]],
                ("app.test", 28) => vec![std::net::Ipv6Addr::LOCALHOST.octets().to_vec()],
                _ => vec![],
            };
            let mut r = q[..question_end].to_vec();
            r[2] = 0x81;
            r[3] = if name == "app.test" { 0x80 } else { 0x83 };
            r[6] = 0;
            r[7] = answers.len() as u8;
            for a in &answers {
                r.extend_from_slice(&[0xc0, 12]);
                r.extend_from_slice(&qtype.to_be_bytes());
                r.extend_from_slice(&[0, 1, 0, 0, 0, 60, 0, a.len() as u8]);
                r.extend_from_slice(a);
            }
            let _ = socket.send_to(&r, peer).await;
        }
    });
    (addr, task)
}

#[tokio::test]
async fn dns_answers_from_a_loopback_nameserver() {
    let (ns, task) = dns_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: d\n    dns: {{ name: app.test, nameserver: \"{ns}\" }}\n    expect: {{ includes: [10.1.2.3, 10.1.2.4], excludes: [10.9.9.9], json: {{ \"$.addresses\": {{ length: 2 }} }} }}\n"
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert_eq!(results.len(), 5);
    assert!(
        observed.evidence[0]
            .text
            .contains("NOERROR [10.1.2.3, 10.1.2.4]")
    );

    let c = check(
        &format!(
            "  - id: d\n    dns: {{ name: app.test, type: AAAA, nameserver: \"{ns}\" }}\n    expect: {{ includes: [\"::1\"] }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");

    // An address the plan excludes is reported with what the name resolved to.
    let c = check(
        &format!(
            "  - id: d\n    dns: {{ name: app.test, nameserver: \"{ns}\" }}\n    expect: {{ excludes: [10.1.2.4] }}\n"
        ),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    let bad = failed(&results);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].subject, "address 10.1.2.4");
    task.abort();
}

#[tokio::test]
async fn nxdomain_fails_resolves_and_silence_is_a_timeout() {
    let (ns, task) = dns_server().await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!("  - id: d\n    dns: {{ name: missing.test, nameserver: \"{ns}\" }}\n"),
        dir.path(),
    );
    let (_, results) = run(&c).await.unwrap();
    assert_eq!(failed(&results).len(), 1);
    assert!(results[0].actual.contains("NXDOMAIN"), "{results:#?}");

    let c = check(
        &format!(
            "  - id: d\n    timeout: 1500ms\n    dns: {{ name: silent.test, nameserver: \"{ns}\" }}\n"
        ),
        dir.path(),
    );
    let start = Instant::now();
    let err = run(&c).await.expect_err("no answer is an error");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(err.class, FailureClass::Timeout, "{}", err.message);
    assert!(err.message.contains("no answer within"), "{}", err.message);
    task.abort();
}
