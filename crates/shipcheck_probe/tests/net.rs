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
            // The query's additional records (an EDNS OPT) are not echoed back.
            r[10] = 0;
            r[11] = 0;
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

/// The question of a DNS query: (name, type, end of the question section).
fn question(q: &[u8]) -> Option<(String, u16, usize)> {
    let mut at = 12;
    let mut labels = Vec::new();
    while *q.get(at)? != 0 {
        let len = usize::from(q[at]);
        labels.push(String::from_utf8_lossy(q.get(at + 1..at + 1 + len)?).into_owned());
        at += 1 + len;
    }
    let qtype = u16::from_be_bytes([*q.get(at + 1)?, *q.get(at + 2)?]);
    Some((labels.join("."), qtype, at + 5))
}

/// A response to `q` with `n` A records 10.0.i.j and, when `truncated`, none but TC set.
fn big_answer(q: &[u8], n: u16, truncated: bool) -> Vec<u8> {
    let (_, _, end) = question(q).unwrap();
    let mut r = q[..end].to_vec();
    r[2] = if truncated { 0x83 } else { 0x81 }; // QR, RD, and TC when truncated
    r[3] = 0x80;
    let count = if truncated { 0 } else { n };
    r[6..8].copy_from_slice(&count.to_be_bytes());
    r[8..12].fill(0);
    for i in 0..count {
        r.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0]);
        r.extend_from_slice(&i.to_be_bytes());
    }
    r
}

/// Issue 9.17: an answer too large for UDP comes back truncated (TC=1, no records); the
/// probe must ask again over TCP and see every address, not report an empty answer.
#[tokio::test]
async fn a_truncated_udp_answer_is_asked_again_over_tcp() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    const RECORDS: u16 = 60; // 960+ bytes: more than a plain 512-byte UDP answer carries
    // One port number for both protocols: the port UDP got may be taken for TCP by
    // another test's connection, so try a few.
    let mut pair = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = udp.local_addr().unwrap();
        if let Ok(tcp) = TcpListener::bind(addr).await {
            pair = Some((udp, addr, tcp));
            break;
        }
    }
    let (udp, addr, tcp) = pair.expect("a port free for both UDP and TCP");
    let udp_task = tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) = udp.recv_from(&mut buf).await {
            let _ = udp
                .send_to(&big_answer(&buf[..n], RECORDS, true), peer)
                .await;
        }
    });
    let tcp_queries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = tcp_queries.clone();
    let tcp_task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = tcp.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                loop {
                    let mut len = [0u8; 2];
                    if stream.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
                    if stream.read_exact(&mut q).await.is_err() {
                        return;
                    }
                    seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let r = big_answer(&q, RECORDS, false);
                    let mut framed = u16::try_from(r.len()).unwrap().to_be_bytes().to_vec();
                    framed.extend_from_slice(&r);
                    if stream.write_all(&framed).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: d\n    dns: {{ name: big.test, nameserver: \"{addr}\" }}\n    expect: {{ includes: [10.0.0.0, 10.0.0.59], json: {{ \"$.addresses\": {{ length: {RECORDS} }} }} }}\n"
        ),
        dir.path(),
    );
    let (observed, results) = run(&c).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");
    assert!(
        tcp_queries.load(std::sync::atomic::Ordering::SeqCst) >= 1,
        "the truncated UDP answer was followed by a TCP query"
    );
    assert!(observed.evidence[0].text.contains("NOERROR"));
    udp_task.abort();
    tcp_task.abort();
}
