//! Reading HTTP/1.1 responses off a keep-alive connection: the head parsed by `httparse`,
//! the body skipped by `Content-Length`, chunked framing, or the end of the connection.
//! One fixed buffer per connection; nothing is allocated per response.

/// Read buffer per connection; also the largest response head accepted.
pub(crate) const BUF: usize = 32 * 1024;

/// Headers read from one response head.
const MAX_HEADERS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Head,
    Body(u64),
    ChunkSize,
    ChunkData(u64),
    ChunkEnd,
    Trailer,
    UntilClose,
}

/// What the bytes read so far amount to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// The response is not complete yet.
    Need,
    /// A complete response; `close` when the connection cannot be reused.
    Done { status: u16, close: bool },
    /// Not HTTP/1.1 as expected.
    Bad(&'static str),
}

/// The response reader of one connection.
pub(crate) struct Reader {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    state: State,
    status: u16,
    close: bool,
    /// The request was HEAD: responses have no body.
    head: bool,
}

impl Reader {
    pub(crate) fn new(head: bool) -> Self {
        Self {
            buf: vec![0; BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            state: State::Head,
            status: 0,
            close: false,
            head,
        }
    }

    /// Forgets everything (a new connection).
    pub(crate) fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.state = State::Head;
    }

    /// Room to read into; `None` when a response head fills the whole buffer.
    pub(crate) fn space(&mut self) -> Option<&mut [u8]> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            if self.start == 0 {
                return None;
            }
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        Some(&mut self.buf[self.end..])
    }

    /// Records `n` bytes read into [`Self::space`] and parses what it can.
    pub(crate) fn filled(&mut self, n: usize) -> Parsed {
        self.end += n;
        self.parse()
    }

    /// The peer closed the connection: the end of a response read to the close, or an
    /// error if one was under way.
    pub(crate) fn eof(&mut self) -> Parsed {
        if self.state == State::UntilClose {
            self.state = State::Head;
            return Parsed::Done {
                status: self.status,
                close: true,
            };
        }
        Parsed::Bad("the connection closed before the response was complete")
    }

    fn parse(&mut self) -> Parsed {
        loop {
            let avail = self.end - self.start;
            match self.state {
                State::Head => {
                    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                    let mut resp = httparse::Response::new(&mut headers);
                    match resp.parse(&self.buf[self.start..self.end]) {
                        Ok(httparse::Status::Partial) => return Parsed::Need,
                        Err(_) => return Parsed::Bad("the response head is not valid HTTP/1.1"),
                        Ok(httparse::Status::Complete(n)) => {
                            let status = resp.code.unwrap_or(0);
                            let mut length = None;
                            let mut chunked = false;
                            let mut close = resp.version == Some(0);
                            for h in resp.headers.iter() {
                                if h.name.eq_ignore_ascii_case("content-length") {
                                    match std::str::from_utf8(h.value)
                                        .ok()
                                        .and_then(|v| v.trim().parse::<u64>().ok())
                                    {
                                        Some(v) => length = Some(v),
                                        None => return Parsed::Bad("invalid Content-Length"),
                                    }
                                } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                                    chunked =
                                        h.value.split(|b| *b == b',').next_back().is_some_and(
                                            |v| v.trim_ascii().eq_ignore_ascii_case(b"chunked"),
                                        );
                                } else if h.name.eq_ignore_ascii_case("connection") {
                                    let v = h.value;
                                    if v.eq_ignore_ascii_case(b"close") {
                                        close = true;
                                    } else if v.eq_ignore_ascii_case(b"keep-alive") {
                                        close = false;
                                    }
                                }
                            }
                            self.start += n;
                            if (100..200).contains(&status) && status != 101 {
                                continue; // an interim answer; the final one follows
                            }
                            self.status = status;
                            self.close = close;
                            self.state = if self.head || status == 204 || status == 304 {
                                return self.done();
                            } else if chunked {
                                State::ChunkSize
                            } else if let Some(len) = length {
                                State::Body(len)
                            } else {
                                self.close = true;
                                State::UntilClose
                            };
                        }
                    }
                }
                State::Body(rem) | State::ChunkData(rem) => {
                    let take = rem.min(avail as u64);
                    self.start += take as usize;
                    let left = rem - take;
                    let chunk = matches!(self.state, State::ChunkData(_));
                    match (left, chunk) {
                        (0, false) => return self.done(),
                        (0, true) => self.state = State::ChunkEnd,
                        (l, false) => {
                            self.state = State::Body(l);
                            return Parsed::Need;
                        }
                        (l, true) => {
                            self.state = State::ChunkData(l);
                            return Parsed::Need;
                        }
                    }
                }
                State::ChunkSize => {
                    match httparse::parse_chunk_size(&self.buf[self.start..self.end]) {
                        Ok(httparse::Status::Complete((n, size))) => {
                            self.start += n;
                            self.state = if size == 0 {
                                State::Trailer
                            } else {
                                State::ChunkData(size)
                            };
                        }
                        Ok(httparse::Status::Partial) => return Parsed::Need,
                        Err(_) => return Parsed::Bad("invalid chunk size"),
                    }
                }
                State::ChunkEnd => {
                    if avail < 2 {
                        return Parsed::Need;
                    }
                    if &self.buf[self.start..self.start + 2] != b"\r\n" {
                        return Parsed::Bad("a chunk does not end with CRLF");
                    }
                    self.start += 2;
                    self.state = State::ChunkSize;
                }
                State::Trailer => {
                    let rest = &self.buf[self.start..self.end];
                    match rest.windows(2).position(|w| w == b"\r\n") {
                        Some(0) => {
                            self.start += 2;
                            return self.done();
                        }
                        Some(i) => self.start += i + 2,
                        None => return Parsed::Need,
                    }
                }
                State::UntilClose => {
                    self.start = self.end;
                    return Parsed::Need;
                }
            }
        }
    }

    fn done(&mut self) -> Parsed {
        self.state = State::Head;
        if self.start != self.end {
            // Nothing was pipelined: bytes after a response mean the framing is wrong.
            return Parsed::Bad("bytes after the end of the response");
        }
        Parsed::Done {
            status: self.status,
            close: self.close,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(r: &mut Reader, bytes: &[u8]) -> Parsed {
        let mut last = Parsed::Need;
        // One byte at a time: every state must survive a split anywhere.
        for b in bytes {
            let Some(space) = r.space() else {
                return Parsed::Bad("full");
            };
            space[0] = *b;
            last = r.filled(1);
            if last != Parsed::Need {
                break;
            }
        }
        last
    }

    #[test]
    fn content_length_chunked_and_interim_answers_split_anywhere() {
        let mut r = Reader::new(false);
        let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
        assert_eq!(
            feed(&mut r, resp),
            Parsed::Done {
                status: 200,
                close: false
            }
        );
        let chunked = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 No\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
        assert_eq!(
            feed(&mut r, chunked),
            Parsed::Done {
                status: 503,
                close: false
            }
        );
        let close = b"HTTP/1.1 404 No\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            feed(&mut r, close),
            Parsed::Done {
                status: 404,
                close: true
            }
        );
    }

    #[test]
    fn a_body_read_to_the_close_ends_at_eof_and_a_cut_response_is_an_error() {
        let mut r = Reader::new(false);
        assert_eq!(feed(&mut r, b"HTTP/1.0 200 OK\r\n\r\nabc"), Parsed::Need);
        assert_eq!(
            r.eof(),
            Parsed::Done {
                status: 200,
                close: true
            }
        );
        r.reset();
        assert_eq!(
            feed(&mut r, b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"),
            Parsed::Need
        );
        assert!(matches!(r.eof(), Parsed::Bad(_)));
        r.reset();
        assert!(matches!(
            feed(&mut r, b"SSH-2.0-OpenSSH\r\n\r\n"),
            Parsed::Bad(_)
        ));
    }

    #[test]
    fn head_responses_and_204_have_no_body() {
        let mut r = Reader::new(true);
        assert_eq!(
            feed(&mut r, b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"),
            Parsed::Done {
                status: 200,
                close: false
            }
        );
        let mut r = Reader::new(false);
        assert_eq!(
            feed(&mut r, b"HTTP/1.1 204 No Content\r\n\r\n"),
            Parsed::Done {
                status: 204,
                close: false
            }
        );
    }
}
