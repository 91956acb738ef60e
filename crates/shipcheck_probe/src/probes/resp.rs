//! A minimal RESP2 client (commands out, replies in) over any stream, with bounded reads.

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// Largest bulk string accepted.
const MAX_BULK: i64 = 16 * 1024 * 1024;
/// Largest array accepted.
const MAX_ARRAY: i64 = 100_000;
/// Deepest nesting of arrays.
const MAX_DEPTH: usize = 8;
/// Longest status/error/integer line.
const MAX_LINE: usize = 64 * 1024;

/// A RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reply {
    /// `+OK`
    Simple(String),
    /// `-ERR …`
    Error(String),
    /// `:1`
    Int(i64),
    /// `$n` (None for `$-1`).
    Bulk(Option<Vec<u8>>),
    /// `*n` (None for `*-1`).
    Array(Option<Vec<Reply>>),
}

impl Reply {
    /// The reply as text (status, bulk, or integer).
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Reply::Simple(s) => Some(s.clone()),
            Reply::Bulk(Some(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            Reply::Int(i) => Some(i.to_string()),
            _ => None,
        }
    }
}

/// A connection speaking RESP2.
pub(super) struct Resp<S> {
    io: BufReader<S>,
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

impl<S: AsyncRead + AsyncWrite + Unpin> Resp<S> {
    pub(super) fn new(stream: S) -> Self {
        Self {
            io: BufReader::new(stream),
        }
    }

    /// Send one command and read its reply.
    pub(super) async fn cmd(&mut self, args: &[&[u8]]) -> io::Result<Reply> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.io.get_mut().write_all(&out).await?;
        self.io.get_mut().flush().await?;
        self.reply(0).await
    }

    async fn line(&mut self) -> io::Result<String> {
        let mut buf = Vec::new();
        let n = (&mut self.io)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut buf)
            .await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        if !buf.ends_with(b"\r\n") {
            return Err(bad("reply line too long or not CRLF-terminated"));
        }
        buf.truncate(buf.len() - 2);
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    async fn reply(&mut self, depth: usize) -> io::Result<Reply> {
        if depth > MAX_DEPTH {
            return Err(bad("reply nested too deeply"));
        }
        let line = self.line().await?;
        let (kind, rest) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
        let int = |s: &str| {
            s.parse::<i64>()
                .map_err(|_| bad(format!("not a number: {s}")))
        };
        match kind {
            "+" => Ok(Reply::Simple(rest.to_owned())),
            "-" => Ok(Reply::Error(rest.to_owned())),
            ":" => Ok(Reply::Int(int(rest)?)),
            "$" => {
                let n = int(rest)?;
                if n < 0 {
                    return Ok(Reply::Bulk(None));
                }
                if n > MAX_BULK {
                    return Err(bad(format!("bulk reply of {n} bytes is too large")));
                }
                let mut buf = vec![0; n as usize + 2];
                self.io.read_exact(&mut buf).await?;
                buf.truncate(n as usize);
                Ok(Reply::Bulk(Some(buf)))
            }
            "*" => {
                let n = int(rest)?;
                if n < 0 {
                    return Ok(Reply::Array(None));
                }
                if n > MAX_ARRAY {
                    return Err(bad(format!("array reply of {n} items is too large")));
                }
                let mut items = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    items.push(Box::pin(self.reply(depth + 1)).await?);
                }
                Ok(Reply::Array(Some(items)))
            }
            _ => Err(bad(format!(
                "not a RESP reply: {}",
                line.chars().take(40).collect::<String>()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parses_replies_and_frames_commands() {
        let (client, mut server) = tokio::io::duplex(4096);
        let task = tokio::spawn(async move {
            let mut got = vec![0u8; 22];
            server.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
            server
                .write_all(b"*3\r\n$5\r\nhello\r\n:42\r\n$-1\r\n")
                .await
                .unwrap();
        });
        let mut r = Resp::new(client);
        let reply = r.cmd(&[b"GET", b"key"]).await.unwrap();
        assert_eq!(
            reply,
            Reply::Array(Some(vec![
                Reply::Bulk(Some(b"hello".to_vec())),
                Reply::Int(42),
                Reply::Bulk(None)
            ]))
        );
        task.await.unwrap();
    }

    #[tokio::test]
    async fn rejects_oversized_bulk() {
        let (client, mut server) = tokio::io::duplex(4096);
        tokio::spawn(async move {
            let mut got = vec![0u8; 14];
            let _ = server.read_exact(&mut got).await;
            let _ = server.write_all(b"$999999999999\r\n").await;
        });
        let mut r = Resp::new(client);
        assert!(r.cmd(&[b"PING"]).await.is_err());
    }
}
