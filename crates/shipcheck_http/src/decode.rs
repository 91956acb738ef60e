//! Bounded decoding of `Content-Encoding: gzip | deflate | br` response bodies.
//!
//! Decoded output is capped at `max_body`: the decoder writes into a sink that refuses more,
//! so a decompression bomb stops after at most `max_body` (plus one decoder buffer) of work.

use std::io::{self, Write};

use bytes::Bytes;

/// What was done to a response body that arrived with a `Content-Encoding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoding {
    /// The `Content-Encoding` as received, lowercase (e.g. `gzip`).
    pub encoding: String,
    /// Bytes received on the wire (encoded).
    pub wire_bytes: u64,
    /// Bytes the decoder produced (the body keeps at most `max_body` of them).
    pub decoded_bytes: u64,
    /// True when decoding stopped because the decoded size passed `max_body`.
    pub cut: bool,
    /// Why the body is not (fully) decoded: an unsupported encoding or a corrupt stream.
    pub problem: Option<String>,
}

impl Decoding {
    /// One line for evidence, e.g. `gzip: 312 bytes on the wire, 1024 decoded`.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "content-encoding {}: {} bytes on the wire, {} decoded",
            self.encoding, self.wire_bytes, self.decoded_bytes
        );
        if self.cut {
            text.push_str(
                "; decoding stopped at max_body (the body expands further: a possible decompression bomb)",
            );
        }
        if let Some(problem) = &self.problem {
            text.push_str("; ");
            text.push_str(problem);
        }
        text
    }
}

/// The codings this client decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Deflate,
    Brotli,
}

/// Collects a body, decoding it when its `Content-Encoding` is known, never keeping more than
/// `max` bytes of output nor reading more than `max` bytes of input.
pub(crate) struct BodyReader {
    max: usize,
    wire: u64,
    state: State,
    encoding: Option<String>,
    problem: Option<String>,
}

enum State {
    /// No decoding: the wire bytes are the body.
    Plain(Vec<u8>),
    /// Deflate waits for its first bytes to tell zlib from raw deflate.
    Deflate(Vec<u8>),
    Gzip(Box<flate2::write::MultiGzDecoder<Sink>>),
    Zlib(Box<flate2::write::ZlibDecoder<Sink>>),
    Raw(Box<flate2::write::DeflateDecoder<Sink>>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<Sink>>),
    /// A decode error happened; the output so far is kept.
    Failed(Sink),
}

/// Whether to keep reading the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    More,
    Stop,
}

/// A body, read and (maybe) decoded.
pub(crate) struct BodyRead {
    pub(crate) body: Bytes,
    pub(crate) truncated: bool,
    pub(crate) wire_bytes: u64,
    pub(crate) decoding: Option<Decoding>,
}

impl BodyReader {
    /// A reader for a body with `content_encoding` (the header value, if any).
    pub(crate) fn new(content_encoding: Option<&str>, max: usize) -> BodyReader {
        let encoding = content_encoding
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty() && e != "identity");
        let coding = match encoding.as_deref() {
            None => None,
            Some("gzip" | "x-gzip") => Some(Coding::Gzip),
            Some("deflate") => Some(Coding::Deflate),
            Some("br") => Some(Coding::Brotli),
            Some(_) => None,
        };
        let problem = match (&encoding, coding) {
            (Some(e), None) => Some(format!("content-encoding {e} is not decoded")),
            _ => None,
        };
        let sink = Sink::new(max);
        let state = match coding {
            None => State::Plain(Vec::new()),
            Some(Coding::Gzip) => State::Gzip(Box::new(flate2::write::MultiGzDecoder::new(sink))),
            Some(Coding::Deflate) => State::Deflate(Vec::new()),
            Some(Coding::Brotli) => State::Brotli(Box::new(
                brotli_decompressor::DecompressorWriter::new(sink, 16 * 1024),
            )),
        };
        BodyReader {
            max,
            wire: 0,
            state,
            encoding,
            problem,
        }
    }

    /// Feed the next frame of wire bytes.
    pub(crate) fn push(&mut self, data: &[u8]) -> Flow {
        self.wire += data.len() as u64;
        let over_wire = self.wire > self.max as u64;
        let result = match &mut self.state {
            State::Plain(buf) => {
                let room = self.max - buf.len();
                if data.len() > room {
                    buf.extend_from_slice(&data[..room]);
                    return Flow::Stop;
                }
                buf.extend_from_slice(data);
                return Flow::More;
            }
            State::Deflate(head) => {
                head.extend_from_slice(data);
                if head.len() < 2 && !over_wire {
                    return Flow::More;
                }
                let head = std::mem::take(head);
                self.start_deflate(&head)
            }
            other => other.write_all(data),
        };
        if let Err(e) = result {
            self.fail(&e);
            return Flow::Stop;
        }
        if over_wire { Flow::Stop } else { Flow::More }
    }

    /// The body after the last frame (`complete`: the whole body was pushed).
    pub(crate) fn finish(mut self, complete: bool) -> BodyRead {
        // An empty body (HEAD, 204, 304 keep their Content-Encoding) has nothing to finish.
        if complete && self.problem.is_none() && self.wire > 0 {
            let mut result = Ok(());
            if let State::Deflate(head) = &mut self.state {
                let head = std::mem::take(head);
                if !head.is_empty() {
                    result = self.start_deflate(&head);
                }
            }
            if let Err(e) = result.and_then(|()| self.state.finish()) {
                self.fail(&e);
            }
        }
        let wire_bytes = self.wire;
        let max = self.max;
        let (body, sink_over, produced) = match self.state {
            State::Plain(buf) => {
                let len = buf.len() as u64;
                (buf, wire_bytes > len, len)
            }
            State::Deflate(_) => (Vec::new(), false, 0),
            State::Gzip(mut d) => d.get_mut().take().parts(),
            State::Zlib(mut d) => d.get_mut().take().parts(),
            State::Raw(mut d) => d.get_mut().take().parts(),
            State::Brotli(mut d) => d.get_mut().take().parts(),
            State::Failed(sink) => sink.parts(),
        };
        let wire_cut = !complete && wire_bytes > max as u64;
        let decoding = self.encoding.map(|encoding| Decoding {
            encoding,
            wire_bytes,
            decoded_bytes: produced,
            cut: sink_over,
            problem: self.problem,
        });
        let truncated = match &decoding {
            Some(d) => d.cut || wire_cut,
            None => sink_over,
        };
        BodyRead {
            body: Bytes::from(body),
            truncated,
            wire_bytes,
            decoding,
        }
    }

    /// Pick zlib or raw deflate from the first bytes (servers send both as `deflate`).
    fn start_deflate(&mut self, head: &[u8]) -> io::Result<()> {
        let sink = Sink::new(self.max);
        let zlib = head.len() >= 2
            && head[0] & 0x0f == 8
            && (u16::from(head[0]) * 256 + u16::from(head[1])) % 31 == 0;
        self.state = if zlib {
            State::Zlib(Box::new(flate2::write::ZlibDecoder::new(sink)))
        } else {
            State::Raw(Box::new(flate2::write::DeflateDecoder::new(sink)))
        };
        self.state.write_all(head)
    }

    fn fail(&mut self, e: &io::Error) {
        let sink = match std::mem::replace(&mut self.state, State::Plain(Vec::new())) {
            State::Gzip(mut d) => d.get_mut().take(),
            State::Zlib(mut d) => d.get_mut().take(),
            State::Raw(mut d) => d.get_mut().take(),
            State::Brotli(mut d) => d.get_mut().take(),
            State::Failed(sink) => sink,
            State::Plain(_) | State::Deflate(_) => Sink::new(self.max),
        };
        if !sink.over {
            let encoding = self.encoding.as_deref().unwrap_or("body");
            self.problem = Some(format!(
                "the {encoding} stream is corrupt after {} wire bytes ({})",
                self.wire,
                lowercase_reason(e)
            ));
        }
        self.state = State::Failed(sink);
    }
}

impl State {
    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            State::Gzip(d) => d.write_all(data),
            State::Zlib(d) => d.write_all(data),
            State::Raw(d) => d.write_all(data),
            State::Brotli(d) => d.write_all(data),
            State::Plain(_) | State::Deflate(_) | State::Failed(_) => Ok(()),
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        match self {
            State::Gzip(d) => d.try_finish(),
            State::Zlib(d) => d.try_finish(),
            State::Raw(d) => d.try_finish(),
            State::Brotli(d) => d.close(),
            State::Plain(_) | State::Deflate(_) | State::Failed(_) => Ok(()),
        }
    }
}

fn lowercase_reason(e: &io::Error) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown error".into(),
    }
}

/// Keeps at most `cap` decoded bytes and fails the decoder's next write once past it.
struct Sink {
    buf: Vec<u8>,
    cap: usize,
    produced: u64,
    over: bool,
}

impl Sink {
    fn new(cap: usize) -> Sink {
        Sink {
            buf: Vec::new(),
            cap,
            produced: 0,
            over: false,
        }
    }

    /// Moves the contents out, leaving an empty sink that refuses writes.
    fn take(&mut self) -> Sink {
        let empty = Sink {
            over: true,
            ..Sink::new(0)
        };
        std::mem::replace(self, empty)
    }

    fn parts(self) -> (Vec<u8>, bool, u64) {
        (self.buf, self.over, self.produced)
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.over {
            return Err(io::Error::other("decoded body exceeds max_body"));
        }
        let room = self.cap - self.buf.len();
        if data.len() > room {
            self.buf.extend_from_slice(&data[..room]);
            self.produced += room as u64;
            self.over = true;
            return Err(io::Error::other("decoded body exceeds max_body"));
        }
        self.buf.extend_from_slice(data);
        self.produced += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    fn read(encoding: Option<&str>, frames: &[&[u8]], max: usize) -> BodyRead {
        let mut reader = BodyReader::new(encoding, max);
        for frame in frames {
            if reader.push(frame) == Flow::Stop {
                return reader.finish(false);
            }
        }
        reader.finish(true)
    }

    #[test]
    fn an_empty_encoded_body_is_not_corrupt() {
        // HEAD, 204 and 304 answers keep their Content-Encoding but have no body.
        let read = read(Some("gzip"), &[], 1024);
        assert!(read.body.is_empty() && !read.truncated);
        let decoding = read.decoding.expect("decoding recorded");
        assert_eq!(decoding.problem, None);
        assert_eq!((decoding.wire_bytes, decoding.decoded_bytes), (0, 0));
    }

    #[test]
    fn one_byte_frames_decode_the_same() {
        let text = b"hello hello hello hello".repeat(20);
        let wire = gzip(&text);
        let frames: Vec<&[u8]> = wire.chunks(1).collect();
        let read = read(Some("gzip"), &frames, 1 << 20);
        assert_eq!(&read.body[..], &text[..]);
        let deflate = {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = e.write_all(&text);
            e.finish().unwrap_or_default()
        };
        let frames: Vec<&[u8]> = deflate.chunks(1).collect();
        assert_eq!(&read_deflate(&frames).body[..], &text[..]);
    }

    fn read_deflate(frames: &[&[u8]]) -> BodyRead {
        read(Some("deflate"), frames, 1 << 20)
    }

    #[test]
    fn an_unknown_encoding_is_kept_as_received_and_says_so() {
        let read = read(Some("zstd"), &[b"\x28\xb5\x2f\xfd"], 1024);
        assert_eq!(&read.body[..], b"\x28\xb5\x2f\xfd");
        let decoding = read.decoding.expect("decoding recorded");
        assert_eq!(
            decoding.problem.as_deref(),
            Some("content-encoding zstd is not decoded")
        );
        assert!(!decoding.cut && !read.truncated);
    }

    #[test]
    fn identity_is_no_encoding() {
        let read = read(Some("identity"), &[b"plain"], 1024);
        assert_eq!(&read.body[..], b"plain");
        assert!(read.decoding.is_none());
    }
}
