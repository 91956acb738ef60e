//! A bound on PostgreSQL backend message sizes. tokio-postgres reserves a buffer for a
//! whole message as soon as it reads the 5-byte header (type, length), so a hostile
//! server claiming ~2 GiB makes the probe allocate that much. [`Bounded`] follows the
//! message framing of what the server sends and fails the read, before tokio-postgres
//! sees the header, when a message claims more than [`MAX_MESSAGE_BYTES`].

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, TlsConnect, TlsStream};

/// Largest backend message accepted (a row, an error, a notice…).
pub(super) const MAX_MESSAGE_BYTES: u32 = 16 * 1024 * 1024;

/// A stream whose incoming PostgreSQL messages are bounded in size.
pub(super) struct Bounded<S> {
    inner: S,
    header: [u8; 5],
    header_len: usize,
    /// Body bytes of the current message still to come.
    body_left: u64,
}

impl<S> Bounded<S> {
    /// Wraps a stream that carries backend messages from its first byte.
    pub(super) fn new(inner: S) -> Self {
        Self {
            inner,
            header: [0; 5],
            header_len: 0,
            body_left: 0,
        }
    }

    /// Follows the framing over `bytes`; an error for an oversized or malformed header.
    fn scan(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let skip = usize::try_from(self.body_left)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                self.body_left -= skip as u64;
                bytes = &bytes[skip..];
                continue;
            }
            let take = (5 - self.header_len).min(bytes.len());
            self.header[self.header_len..self.header_len + take].copy_from_slice(&bytes[..take]);
            self.header_len += take;
            bytes = &bytes[take..];
            if self.header_len == 5 {
                self.header_len = 0;
                let len = u32::from_be_bytes([
                    self.header[1],
                    self.header[2],
                    self.header[3],
                    self.header[4],
                ]);
                if len < 4 {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("the server sent a message with an invalid length ({len})"),
                    ));
                }
                if len - 4 > MAX_MESSAGE_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "the server sent a message of {len} bytes, over the {} MiB limit",
                            MAX_MESSAGE_BYTES / (1024 * 1024)
                        ),
                    ));
                }
                self.body_left = u64::from(len - 4);
            }
        }
        Ok(())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Bounded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let fresh = buf.filled()[before..].to_vec();
                if let Err(e) = self.scan(&fresh) {
                    // Hand nothing of a refused message to the reader.
                    buf.set_filled(before);
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Bounded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S: TlsStream + Unpin> TlsStream for Bounded<S> {
    fn channel_binding(&self) -> ChannelBinding {
        self.inner.channel_binding()
    }
}

/// A TLS connector whose decrypted stream is [`Bounded`] (the bound applies to the
/// messages inside TLS, after the unframed `SSLRequest` answer).
pub(super) struct BoundedTls<T>(pub(super) T);

impl<S, T> TlsConnect<S> for BoundedTls<T>
where
    T: TlsConnect<S>,
    T::Stream: Send + 'static,
    T::Future: Send + 'static,
{
    type Stream = Bounded<T::Stream>;
    type Error = T::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Stream, T::Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        let connecting = self.0.connect(stream);
        Box::pin(async move { connecting.await.map(Bounded::new) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: u8, len: u32) -> Vec<u8> {
        let mut h = vec![kind];
        h.extend_from_slice(&len.to_be_bytes());
        h
    }

    #[test]
    fn framing_is_followed_across_reads_and_oversized_headers_are_refused() {
        let mut b = Bounded::new(());
        let mut stream = header(b'R', 8);
        stream.extend_from_slice(&[0, 0, 0, 0]);
        stream.extend(header(b'S', 4 + 3));
        stream.extend_from_slice(b"a\0b");
        // Split at every position: the state carries over between reads.
        for cut in 0..stream.len() {
            let mut b2 = Bounded::new(());
            b2.scan(&stream[..cut]).unwrap();
            b2.scan(&stream[cut..]).unwrap();
        }
        b.scan(&stream).unwrap();
        let mut hostile = header(b'E', 0x7fff_fff0);
        let e = b.scan(&hostile[..3]).and_then(|()| b.scan(&hostile[3..]));
        assert!(e.unwrap_err().to_string().contains("over the 16 MiB limit"));
        hostile = header(b'E', 2);
        assert!(Bounded::new(()).scan(&hostile).is_err());
    }
}
