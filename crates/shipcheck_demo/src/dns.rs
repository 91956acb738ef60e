//! A tiny authoritative DNS responder on 127.0.0.1 (UDP) for the demo's own zone, so the
//! plan's `dns` check has a nameserver to ask without touching /etc/hosts or the network:
//! `api.shipcheck-demo.test` has A `127.0.0.1` (and AAAA `::1`); every other name is NXDOMAIN.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::net::UdpSocket;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::DemoError;

/// The name the demo answers for.
pub const DEMO_NAME: &str = "api.shipcheck-demo.test";

/// Binds the responder and spawns it until `shutdown` turns true.
pub(crate) async fn spawn(
    mut shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), DemoError> {
    let bind_err = |source| DemoError::Bind {
        addr: "127.0.0.1:0 (udp)".to_owned(),
        source,
    };
    let socket = UdpSocket::bind("127.0.0.1:0").await.map_err(bind_err)?;
    let addr = socket.local_addr().map_err(bind_err)?;
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 512];
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                received = socket.recv_from(&mut buf) => {
                    let Ok((n, peer)) = received else { continue };
                    if let Some(reply) = answer(&buf[..n]) {
                        let _ = socket.send_to(&reply, peer).await;
                    }
                }
            }
        }
    });
    Ok((addr, task))
}

/// The response to one query, or `None` for anything that is not a plain query.
fn answer(q: &[u8]) -> Option<Vec<u8>> {
    if q.len() < 12 || q[2] & 0x80 != 0 || u16::from_be_bytes([q[4], q[5]]) != 1 {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    // Bounded by the packet length; a name has at most 127 labels.
    while labels.len() < 128 {
        let len = usize::from(*q.get(at)?);
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        labels.push(String::from_utf8_lossy(q.get(at + 1..at + 1 + len)?).to_ascii_lowercase());
        at += 1 + len;
    }
    let qtype = u16::from_be_bytes([*q.get(at + 1)?, *q.get(at + 2)?]);
    let end = at + 5;
    let name = labels.join(".");
    let data: Vec<u8> = match (name == DEMO_NAME, qtype) {
        (true, 1) => Ipv4Addr::LOCALHOST.octets().to_vec(),
        (true, 28) => Ipv6Addr::LOCALHOST.octets().to_vec(),
        _ => Vec::new(),
    };
    let mut r = q.get(..end)?.to_vec();
    r[2] = 0x84 | (q[2] & 0x01); // response, authoritative, RD copied
    r[3] = if name == DEMO_NAME { 0x00 } else { 0x03 };
    r[6..12].copy_from_slice(&[0, u8::from(!data.is_empty()), 0, 0, 0, 0]);
    if !data.is_empty() {
        r.extend_from_slice(&[0xc0, 12]);
        r.extend_from_slice(&qtype.to_be_bytes());
        r.extend_from_slice(&[0, 1, 0, 0, 0, 60, 0, data.len() as u8]);
        r.extend_from_slice(&data);
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: u16) -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            q.push(l.len() as u8);
            q.extend_from_slice(l.as_bytes());
        }
        q.push(0);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&[0, 1]);
        q
    }

    #[test]
    fn the_demo_name_resolves_and_others_do_not() {
        let r = answer(&query(DEMO_NAME, 1)).unwrap_or_default();
        assert_eq!(r[3] & 0x0f, 0);
        assert_eq!(r[7], 1);
        assert_eq!(&r[r.len() - 4..], &[127, 0, 0, 1]);
        let r = answer(&query("other.test", 1)).unwrap_or_default();
        assert_eq!((r[3] & 0x0f, r[7]), (3, 0));
        assert!(answer(&[0; 5]).is_none());
    }
}
