//! A small bounded keep-alive pool: idle HTTP/1.1 and HTTP/2 connections per origin.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::{http1, http2};
use tokio::task::JoinHandle;

use crate::types::TlsInfo;

/// Where a connection goes: scheme, host and port (the TLS set-up is the client's own).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
}

impl Origin {
    /// The origin of `url` (`None` for a URL without host or port).
    pub(crate) fn of(url: &url::Url) -> Option<Origin> {
        Some(Origin {
            https: url.scheme() == "https",
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port_or_known_default()?,
        })
    }
}

/// Aborts the spawned connection driver when the connection is dropped.
pub(crate) struct AbortOnDrop(pub(crate) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// hyper's request handle for one connection.
pub(crate) enum Sender {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

impl Sender {
    fn is_closed(&self) -> bool {
        match self {
            Sender::H1(s) => s.is_closed(),
            Sender::H2(s) => s.is_closed(),
        }
    }
}

/// An open HTTP connection with what is known about it.
pub(crate) struct Conn {
    pub(crate) sender: Sender,
    pub(crate) remote: SocketAddr,
    pub(crate) tls: Option<TlsInfo>,
    /// The proxy this connection goes through (a tunnel for https).
    pub(crate) via_proxy: Option<crate::proxy::Proxy>,
    /// Plain http through `via_proxy`: requests go in absolute form.
    pub(crate) forward: bool,
    /// Closes the socket when the connection is dropped (before the driver is aborted).
    pub(crate) _stream: crate::sever::Severer,
    pub(crate) _driver: AbortOnDrop,
}

/// Idle connections per origin, at most `per_origin` each and `total` in all.
pub(crate) struct Pool {
    per_origin: usize,
    total: usize,
    idle: Mutex<Idle>,
}

#[derive(Default)]
struct Idle {
    by_origin: HashMap<Origin, VecDeque<Conn>>,
    /// Origins in the order connections were returned, oldest first, for eviction.
    order: VecDeque<Origin>,
    count: usize,
}

impl Pool {
    pub(crate) fn new(per_origin: usize, total: usize) -> Pool {
        Pool {
            per_origin: per_origin.max(1),
            total: total.max(1),
            idle: Mutex::new(Idle::default()),
        }
    }

    /// The most recently returned open connection to `origin`, if any.
    pub(crate) fn take(&self, origin: &Origin) -> Option<Conn> {
        let mut idle = self.lock();
        let mut found = None;
        if let Some(queue) = idle.by_origin.get_mut(origin) {
            // Each iteration removes one connection, so this ends.
            while let Some(conn) = queue.pop_back() {
                if !conn.sender.is_closed() {
                    found = Some(conn);
                    break;
                }
            }
        }
        idle.recount(origin);
        found
    }

    /// Keep `conn` for a later request to `origin`; the oldest idle connection goes when full.
    pub(crate) fn put(&self, origin: Origin, conn: Conn) {
        if conn.sender.is_closed() {
            return;
        }
        let mut idle = self.lock();
        let queue = idle.by_origin.entry(origin.clone()).or_default();
        if queue.len() >= self.per_origin {
            queue.pop_front();
        }
        queue.push_back(conn);
        idle.order.push_back(origin.clone());
        idle.recount(&origin);
        // Each iteration drops one connection or one stale order entry, so this ends.
        while idle.count > self.total {
            let Some(oldest) = idle.order.pop_front() else {
                break;
            };
            if let Some(queue) = idle.by_origin.get_mut(&oldest) {
                queue.pop_front();
            }
            idle.recount(&oldest);
        }
    }

    /// How many idle connections are kept now.
    pub(crate) fn idle_count(&self) -> usize {
        self.lock().count
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Idle> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Idle {
    fn recount(&mut self, origin: &Origin) {
        if self.by_origin.get(origin).is_some_and(VecDeque::is_empty) {
            self.by_origin.remove(origin);
        }
        self.count = self.by_origin.values().map(VecDeque::len).sum();
        if self.order.len() > 4 * self.count + 16 {
            let live: Vec<Origin> = self
                .order
                .iter()
                .filter(|o| self.by_origin.contains_key(*o))
                .cloned()
                .collect();
            self.order = live.into();
        }
    }
}
