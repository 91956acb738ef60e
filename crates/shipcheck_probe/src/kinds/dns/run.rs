//! The `dns` probe: resolve a name (A or AAAA), either with the system resolver or by asking
//! a given nameserver over UDP with a minimal RFC 1035 client. NXDOMAIN or an empty answer
//! is a fact (`resolves: false`); no answer at all is an error (class `dns` or `timeout`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};
use tokio::net::UdpSocket;

use super::facts::DnsFacts;
use super::spec::{DnsProbe, nameserver_addr};

/// Largest UDP answer read.
const MAX_ANSWER: usize = 4096;
/// The query is sent again after this long without an answer.
const RESEND: Duration = Duration::from_millis(1000);
/// At most this many records of an answer are read.
const MAX_RECORDS: usize = 64;

/// One lookup, by the system resolver or by asking the nameserver.
pub(super) async fn observe(p: &DnsProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let name = template::render_str(&p.name, cx.lookup)
        .map_err(|e| ProbeError::new(FailureClass::Protocol, format!("rendering: {e}")))?;
    let name = name.trim_end_matches('.').to_owned();
    let budget = cx
        .timeout
        .saturating_sub(Duration::from_millis(100))
        .max(Duration::from_millis(50));
    let mut facts = DnsFacts {
        name: name.clone(),
        record: p.record.clone(),
        ..DnsFacts::default()
    };
    match &p.nameserver {
        Some(ns) => {
            let addr = nameserver_addr(ns).ok_or_else(|| {
                ProbeError::new(FailureClass::Dns, format!("invalid nameserver {ns}"))
            })?;
            facts.nameserver = addr.to_string();
            let qtype = if p.record == "AAAA" { 28 } else { 1 };
            let (rcode, addrs) = ask(addr, &name, qtype, budget).await?;
            facts.rcode = rcode;
            facts.addresses = addrs;
        }
        None => {
            facts.nameserver = "system".into();
            let found = tokio::time::timeout(budget, tokio::net::lookup_host((name.as_str(), 0)))
                .await
                .map_err(|_| {
                    ProbeError::new(
                        FailureClass::Timeout,
                        format!(
                            "resolving {name}: no answer within {} ms",
                            budget.as_millis()
                        ),
                    )
                })?;
            match found {
                Ok(addrs) => {
                    facts.rcode = "NOERROR".into();
                    facts.addresses = addrs
                        .map(|a| a.ip())
                        .filter(|ip| ip.is_ipv6() == (p.record == "AAAA"))
                        .map(|ip| ip.to_string())
                        .take(MAX_RECORDS)
                        .collect();
                }
                Err(e) => facts.rcode = e.to_string().to_lowercase(),
            }
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let text = format!(
        "{} {} @{}: {} [{}]",
        facts.name,
        facts.record,
        facts.nameserver,
        facts.rcode,
        facts.addresses.join(", ")
    );
    Ok(Observed {
        evidence: vec![Evidence {
            label: "dns".into(),
            text,
            truncated: false,
        }],
        measurements: vec![Measurement {
            name: "dns".into(),
            value: facts.duration_ms,
            unit: shipcheck_report::MeasureUnit::Ms,
            target: None,
            met: None,
        }],
        ..Observed::new(facts)
    })
}

/// Ask `server` for `name`; returns the response code and the addresses of type `qtype`.
async fn ask(
    server: SocketAddr,
    name: &str,
    qtype: u16,
    budget: Duration,
) -> Result<(String, Vec<String>), ProbeError> {
    let err =
        |class, why: String| ProbeError::new(class, format!("asking {server} for {name}: {why}"));
    let bind: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(bind)
        .await
        .map_err(|e| err(FailureClass::Dns, e.to_string()))?;
    socket
        .connect(server)
        .await
        .map_err(|e| err(FailureClass::Dns, e.to_string()))?;
    let id = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x5c5c, |d| (d.subsec_nanos() >> 8) as u16);
    let query = build_query(id, name, qtype)
        .ok_or_else(|| err(FailureClass::Protocol, "not a valid DNS name".into()))?;
    let deadline = tokio::time::Instant::now() + budget;
    let mut buf = vec![0u8; MAX_ANSWER];
    // Bounded: each round either ends the function or waits until the next resend/deadline.
    loop {
        socket
            .send(&query)
            .await
            .map_err(|e| err(FailureClass::Dns, e.to_string()))?;
        let resend_at = (tokio::time::Instant::now() + RESEND).min(deadline);
        loop {
            match tokio::time::timeout_at(resend_at, socket.recv(&mut buf)).await {
                Ok(Ok(n)) => {
                    if let Some(answer) = parse_answer(&buf[..n], id, qtype) {
                        return Ok(answer);
                    }
                }
                // ICMP port unreachable shows up as a receive error: nobody listens there.
                Ok(Err(e)) => return Err(err(FailureClass::Dns, e.to_string().to_lowercase())),
                Err(_) => break,
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(err(
                FailureClass::Timeout,
                format!("no answer within {} ms", budget.as_millis()),
            ));
        }
    }
}

/// A standard recursive query for `name`/`qtype`.
fn build_query(id: u16, name: &str, qtype: u16) -> Option<Vec<u8>> {
    let mut q = Vec::with_capacity(name.len() + 18);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return None;
        }
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    if q.len() > 12 + 255 {
        return None;
    }
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes());
    Some(q)
}

/// Skips a (possibly compressed) name starting at `at`; returns the offset after it.
fn skip_name(msg: &[u8], mut at: usize) -> Option<usize> {
    for _ in 0..128 {
        let len = *msg.get(at)?;
        if len & 0xc0 == 0xc0 {
            return Some(at + 2);
        }
        if len == 0 {
            return Some(at + 1);
        }
        at += 1 + usize::from(len);
    }
    None
}

fn rcode_name(code: u8) -> String {
    match code {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        other => format!("RCODE{other}"),
    }
}

/// The response code and addresses of a response to query `id`; `None` if it is not one.
fn parse_answer(msg: &[u8], id: u16, qtype: u16) -> Option<(String, Vec<String>)> {
    if msg.len() < 12 || u16::from_be_bytes([msg[0], msg[1]]) != id || msg[2] & 0x80 == 0 {
        return None;
    }
    let rcode = rcode_name(msg[3] & 0x0f);
    let qd = u16::from_be_bytes([msg[4], msg[5]]);
    let an = usize::from(u16::from_be_bytes([msg[6], msg[7]])).min(MAX_RECORDS);
    let mut at = 12;
    for _ in 0..qd.min(4) {
        at = skip_name(msg, at)? + 4;
    }
    let mut out = Vec::new();
    for _ in 0..an {
        at = skip_name(msg, at)?;
        let head = msg.get(at..at + 10)?;
        let rtype = u16::from_be_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_be_bytes([head[8], head[9]]));
        let data = msg.get(at + 10..at + 10 + len)?;
        at += 10 + len;
        if rtype != qtype {
            continue;
        }
        let ip = match data.len() {
            4 => IpAddr::from(<[u8; 4]>::try_from(data).ok()?),
            16 => IpAddr::from(<[u8; 16]>::try_from(data).ok()?),
            _ => continue,
        };
        out.push(ip.to_string());
    }
    Some((rcode, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encodes_labels() {
        let q = build_query(7, "a.bc", 1).unwrap_or_default();
        assert_eq!(&q[..2], &[0, 7]);
        assert_eq!(&q[12..], &[1, b'a', 2, b'b', b'c', 0, 0, 1, 0, 1]);
        assert!(build_query(1, "a..b", 1).is_none());
    }

    #[test]
    fn answers_with_compressed_names_are_read() {
        let mut msg = build_query(9, "x.test", 1).unwrap_or_default();
        msg[2] = 0x81;
        msg[3] = 0x80;
        msg[7] = 2; // two answers
        for ip in [[10, 0, 0, 1], [10, 0, 0, 2]] {
            msg.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            msg.extend_from_slice(&ip);
        }
        assert_eq!(
            parse_answer(&msg, 9, 1),
            Some(("NOERROR".into(), vec!["10.0.0.1".into(), "10.0.0.2".into()]))
        );
        assert_eq!(parse_answer(&msg, 8, 1), None);
        msg.truncate(msg.len() - 3);
        assert_eq!(parse_answer(&msg, 9, 1), None);
    }
}
