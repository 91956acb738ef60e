//! A connection's stream that its owner can close at once.
//!
//! hyper drives each connection in a spawned task; aborting that task only schedules its
//! cancellation, so after a wave of timed-out checks their sockets could stay open next to
//! the new checks' sockets for a while. The stream is shared with the [`Conn`](crate::pool::Conn)
//! instead: dropping the `Conn` drops the stream there and then, closing the socket before
//! the check that owned it reports its result.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The stream handed to hyper: reads and writes go to the shared stream while it is there.
pub(crate) struct Severable<IO>(Arc<Mutex<Option<IO>>>);

/// Closes the shared stream when dropped (or when [`Severer::sever`] is called).
pub(crate) struct Severer(Arc<dyn Sever>);

trait Sever: Send + Sync {
    fn sever(&self);
}

impl<IO: Send> Sever for Mutex<Option<IO>> {
    fn sever(&self) {
        // Take the stream out under the lock, drop it after: closing a TLS stream may do
        // a little work, and a concurrent poll only needs the lock briefly.
        let io = self.lock().unwrap_or_else(PoisonError::into_inner).take();
        drop(io);
    }
}

impl<IO: Send + 'static> Severable<IO> {
    /// Wraps `io`; the [`Severer`] closes it.
    pub(crate) fn new(io: IO) -> (Severable<IO>, Severer) {
        let shared = Arc::new(Mutex::new(Some(io)));
        let severer = Severer(shared.clone());
        (Severable(shared), severer)
    }
}

impl Severer {
    /// Drops the stream now, closing its socket; later reads and writes fail.
    pub(crate) fn sever(&self) {
        self.0.sever();
    }
}

impl Drop for Severer {
    fn drop(&mut self) {
        self.sever();
    }
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "the connection was closed")
}

impl<IO> Severable<IO> {
    /// Runs `f` on the stream, or fails when it has been severed.
    fn with<T>(&self, f: impl FnOnce(Pin<&mut IO>) -> Poll<io::Result<T>>) -> Poll<io::Result<T>>
    where
        IO: Unpin,
    {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_mut() {
            Some(io) => f(Pin::new(io)),
            None => Poll::Ready(Err(closed())),
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Severable<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.with(|io| io.poll_read(cx, buf))
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Severable<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with(|io| io.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.with(|io| io.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        let guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().is_some_and(|io| io.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|io| io.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with(|io| io.poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test]
    async fn severing_closes_the_socket_at_once_and_later_io_fails() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let (mut io, severer) = Severable::new(client);
        io.write_all(b"ping").await.unwrap();
        let mut got = [0u8; 4];
        server.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"ping");

        drop(severer);
        // The peer sees end of stream without the client's task doing anything more.
        let mut rest = Vec::new();
        let n = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            server.read_to_end(&mut rest),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(n, 0);
        let err = io.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotConnected);
    }
}
