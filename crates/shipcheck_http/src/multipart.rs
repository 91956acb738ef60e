//! [`Multipart`]: a `multipart/form-data` body (RFC 7578), for form uploads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{BufMut, Bytes, BytesMut};

/// A `multipart/form-data` body being built: text fields and files, in order.
///
/// ```
/// let (content_type, body) = shipcheck_http::Multipart::new()
///     .text("name", "report")
///     .file("upload", "a.txt", "text/plain", b"hello".to_vec())
///     .encode();
/// assert!(content_type.starts_with("multipart/form-data; boundary="));
/// assert!(body.len() > 5);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
struct Part {
    name: String,
    file: Option<(String, String)>,
    data: Bytes,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a text field.
    #[must_use]
    pub fn text(mut self, name: &str, value: &str) -> Multipart {
        self.parts.push(Part {
            name: name.to_owned(),
            file: None,
            data: Bytes::copy_from_slice(value.as_bytes()),
        });
        self
    }

    /// Adds a file field with its file name and content type.
    #[must_use]
    pub fn file(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        data: impl Into<Bytes>,
    ) -> Multipart {
        self.parts.push(Part {
            name: name.to_owned(),
            file: Some((filename.to_owned(), content_type.to_owned())),
            data: data.into(),
        });
        self
    }

    /// The `Content-Type` header value and the body. The boundary occurs in no part.
    pub fn encode(&self) -> (String, Bytes) {
        let boundary = self.boundary();
        let mut body = BytesMut::new();
        for part in &self.parts {
            body.put_slice(b"--");
            body.put_slice(boundary.as_bytes());
            body.put_slice(b"\r\ncontent-disposition: form-data; name=\"");
            body.put_slice(quoted(&part.name).as_bytes());
            body.put_slice(b"\"");
            if let Some((filename, content_type)) = &part.file {
                body.put_slice(b"; filename=\"");
                body.put_slice(quoted(filename).as_bytes());
                body.put_slice(b"\"\r\ncontent-type: ");
                body.put_slice(single_line(content_type).as_bytes());
            }
            body.put_slice(b"\r\n\r\n");
            body.put_slice(&part.data);
            body.put_slice(b"\r\n");
        }
        body.put_slice(b"--");
        body.put_slice(boundary.as_bytes());
        body.put_slice(b"--\r\n");
        (
            format!("multipart/form-data; boundary={boundary}"),
            body.freeze(),
        )
    }

    /// A boundary that no part contains (tried with a new seed until one fits).
    fn boundary(&self) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()) ^ d.as_secs());
        // Each try changes the seed, and a fixed 30-byte boundary can only be in a part a
        // bounded number of ways, so this ends.
        loop {
            let seed = COUNTER.fetch_add(1, Ordering::Relaxed) ^ nanos.rotate_left(17);
            let mixed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let candidate = format!("shipcheck-boundary-{mixed:016x}");
            let clashes = self.parts.iter().any(|p| {
                p.data
                    .windows(candidate.len())
                    .any(|w| w == candidate.as_bytes())
            });
            if !clashes {
                return candidate;
            }
        }
    }
}

/// A field or file name inside quotes, as browsers encode it (`"` → `%22`, CR/LF escaped).
fn quoted(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn single_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_are_framed_by_the_boundary() {
        let (content_type, body) = Multipart::new()
            .text("title", "weekly \"report\"")
            .file("upload", "data.csv", "text/csv", b"a,b\n1,2\n".to_vec())
            .encode();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect("boundary");
        let expected = format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"title\"\r\n\r\n\
             weekly \"report\"\r\n\
             --{boundary}\r\ncontent-disposition: form-data; name=\"upload\"; \
             filename=\"data.csv\"\r\ncontent-type: text/csv\r\n\r\na,b\n1,2\n\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(String::from_utf8_lossy(&body), expected);
    }

    #[test]
    fn names_cannot_break_the_header_and_the_boundary_is_not_in_the_data() {
        let (content_type, body) = Multipart::new().text("a\"b\r\nx", "v").encode();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("name=\"a%22b%0D%0Ax\""), "{text}");
        let boundary = content_type.rsplit('=').next().expect("boundary");
        let (_, again) = Multipart::new().text("f", boundary).encode();
        let again = String::from_utf8_lossy(&again);
        let first_line = again.lines().next().expect("a line");
        assert_ne!(first_line, format!("--{boundary}"), "{again}");
    }
}
