//! The accept loop shared by the HTTP and HTTPS listeners: hyper-util's auto builder (HTTP/1.1
//! and HTTP/2, upgrades kept for a later WebSocket endpoint) over plain TCP or tokio-rustls,
//! bounded in connections and handshake time, with graceful shutdown through a watch channel.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// Most connections served at once per listener; further accepts wait.
const MAX_CONNECTIONS: usize = 512;
/// Bound on the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on reading a request head (HTTP/1).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long in-flight connections get to finish after shutdown is asked.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves once shutdown is asked for or the sender is gone.
async fn stopped(mut shutdown: watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Serves `router` on `listener` (through TLS when `tls` is set) until `shutdown` turns true.
pub(crate) fn spawn(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(accept_loop(listener, tls, router, shutdown, None))
}

/// Serves plain HTTP like [`spawn`], and does a rolling restart whenever `rollout` asks:
/// the listener closes for [`GAP`](crate::rollout::GAP), then listens again on the same
/// address (connections in flight finish meanwhile).
pub(crate) fn spawn_restartable(
    listener: TcpListener,
    router: Router,
    shutdown: watch::Receiver<bool>,
    rollout: Arc<crate::rollout::Rollout>,
) -> JoinHandle<()> {
    tokio::spawn(accept_loop(listener, None, router, shutdown, Some(rollout)))
}

/// Resolves when `rollout` asks for a restart; never without one.
async fn restart_asked(rollout: Option<&crate::rollout::Rollout>) {
    match rollout {
        Some(r) => r.asked().await,
        None => std::future::pending().await,
    }
}

async fn accept_loop(
    mut listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    shutdown: watch::Receiver<bool>,
    rollout: Option<Arc<crate::rollout::Rollout>>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    let stop = stopped(shutdown.clone());
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = &mut stop => break,
            () = restart_asked(rollout.as_deref()) => {
                drop(permit);
                match restart(listener, rollout.as_deref()).await {
                    Some(l) => listener = l,
                    None => break,
                }
                continue;
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(_) => {
                    // Typically EMFILE: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let (tls, router, shutdown) = (tls.clone(), router.clone(), shutdown.clone());
        connections.spawn(async move {
            serve_connection(stream, tls, router, shutdown).await;
            drop(permit);
        });
    }
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

/// Closes `listener`, waits the restart gap and listens on the same address again (a few
/// tries: the port may be taken meanwhile); `None` when it cannot.
async fn restart(
    listener: TcpListener,
    rollout: Option<&crate::rollout::Rollout>,
) -> Option<TcpListener> {
    let addr = listener.local_addr().ok()?;
    drop(listener);
    tokio::time::sleep(crate::rollout::GAP).await;
    for _ in 0..20 {
        if let Ok(l) = TcpListener::bind(addr).await {
            if let Some(r) = rollout {
                r.restarted();
            }
            return Some(l);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn serve_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    router: Router,
    shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => drive(TokioIo::new(stream), router, shutdown).await,
        Some(acceptor) => {
            if let Ok(Ok(stream)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                drive(TokioIo::new(stream), router, shutdown).await;
            }
        }
    }
}

async fn drive<I>(io: TokioIo<I>, router: Router, shutdown: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut router = router.clone();
        async move {
            let response: Result<_, Infallible> =
                tower_service::Service::call(&mut router, req).await;
            response
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = stopped(shutdown) => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, connection).await;
        }
    }
}
