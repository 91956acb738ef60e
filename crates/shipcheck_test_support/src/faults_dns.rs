//! DNS faults: a UDP nameserver on loopback that never answers, or answers every question
//! with NXDOMAIN.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::faults::CONNECTION_LIFETIME;

/// How the nameserver treats a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsFault {
    /// Reads queries and never answers.
    Silent,
    /// Answers every query with rcode 3 (NXDOMAIN), no records.
    NxDomain,
}

/// A running UDP nameserver on 127.0.0.1; stops when dropped.
pub struct DnsServer {
    /// Where it listens (UDP).
    pub addr: SocketAddr,
    /// Queries received.
    pub queries: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl DnsServer {
    /// Starts the nameserver on a free UDP port.
    pub fn start(fault: DnsFault) -> DnsServer {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        let addr = sock.local_addr().expect("addr");
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("read timeout");
        let stop = Arc::new(AtomicBool::new(false));
        let queries = Arc::new(AtomicUsize::new(0));
        let (flag, seen) = (stop.clone(), queries.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut buf = [0u8; 1500];
            // Bounded: ends when dropped or after the connection lifetime.
            while !flag.load(Ordering::Relaxed) && started.elapsed() < CONNECTION_LIFETIME {
                let Ok((n, from)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                seen.fetch_add(1, Ordering::SeqCst);
                if fault == DnsFault::NxDomain
                    && let Some(reply) = nxdomain(&buf[..n])
                {
                    let _ = sock.send_to(&reply, from);
                }
            }
        });
        DnsServer {
            addr,
            queries,
            stop,
        }
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The NXDOMAIN answer to `query`: its id and question, QR and RA set, rcode 3.
fn nxdomain(query: &[u8]) -> Option<Vec<u8>> {
    if query.len() < 12 {
        return None;
    }
    // The question: QNAME labels, then QTYPE and QCLASS.
    let mut i = 12;
    loop {
        let len = usize::from(*query.get(i)?);
        i += 1;
        if len == 0 {
            break;
        }
        i += len;
    }
    let end = i + 4;
    if end > query.len() {
        return None;
    }
    let mut reply = Vec::with_capacity(end);
    reply.extend_from_slice(&query[..2]); // id
    reply.push(0x80 | (query[2] & 0x01)); // QR, opcode 0, RD copied
    reply.push(0x80 | 0x03); // RA, rcode NXDOMAIN
    reply.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // 1 question, no records
    reply.extend_from_slice(&query[12..end]);
    Some(reply)
}
