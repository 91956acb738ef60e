//! Decoded views of a text for the redactor: each view undoes one family of encodings
//! (percent-encoding in any case and for any character set, form encoding, JSON string
//! escapes) and remembers, for every decoded byte, the span of the original text it came
//! from, so a secret found in the view is removed from the original. Each view is built
//! in one linear pass, whatever mix of escaped and unescaped characters the text uses.
//! Also the byte-level helpers of redaction: where a cut secret ends, the KMP failure
//! function for prefixes at a cut, and the replacement of found ranges.

/// One family of encodings undone by a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoding {
    /// `%XX` in either case, for any byte (RFC 3986, `encodeURIComponent`, Go, …).
    Percent,
    /// `%XX` and `+` for a space (`application/x-www-form-urlencoded`).
    Form,
    /// JSON string escapes: `\"`, `\\`, `\/`, `\n`…, `\uXXXX` with surrogate pairs.
    Json,
}

impl Decoding {
    /// Every view, in the order the redactor applies them.
    pub(crate) const ALL: [Decoding; 3] = [Decoding::Percent, Decoding::Form, Decoding::Json];

    /// True when `text` contains anything this view would decode.
    pub(crate) fn applies(self, text: &str) -> bool {
        match self {
            Decoding::Percent => text.contains('%'),
            Decoding::Form => text.contains('+'),
            Decoding::Json => text.contains('\\'),
        }
    }
}

/// A decoded text and, per decoded byte, the original byte span it came from.
pub(crate) struct View {
    /// The decoded bytes (not necessarily UTF-8).
    pub(crate) bytes: Vec<u8>,
    /// `spans[i]` is the original `start..end` of decoded byte `i`.
    pub(crate) spans: Vec<(usize, usize)>,
}

impl View {
    /// The original span of decoded bytes `start..end` (`end > start`).
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

/// Decodes `text` with one family of encodings.
pub(crate) fn decode(text: &str, how: Decoding) -> View {
    let src = text.as_bytes();
    let mut view = View {
        bytes: Vec::with_capacity(src.len()),
        spans: Vec::with_capacity(src.len()),
    };
    let mut i = 0;
    while i < src.len() {
        let consumed = match how {
            Decoding::Percent | Decoding::Form => percent_at(src, i, how == Decoding::Form),
            Decoding::Json => json_at(src, i),
        };
        match consumed {
            Some((len, decoded)) => {
                for b in decoded.as_slice() {
                    view.bytes.push(*b);
                    view.spans.push((i, i + len));
                }
                i += len;
            }
            None => {
                view.bytes.push(src[i]);
                view.spans.push((i, i + 1));
                i += 1;
            }
        }
    }
    view
}

/// Up to four decoded bytes.
struct Decoded {
    buf: [u8; 4],
    len: usize,
}

impl Decoded {
    fn byte(b: u8) -> Self {
        Self {
            buf: [b, 0, 0, 0],
            len: 1,
        }
    }

    fn char(c: char) -> Self {
        let mut buf = [0u8; 4];
        let len = c.encode_utf8(&mut buf).len();
        Self { buf, len }
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_at(src: &[u8], i: usize, plus: bool) -> Option<(usize, Decoded)> {
    match src[i] {
        b'+' if plus => Some((1, Decoded::byte(b' '))),
        b'%' => {
            let hi = hex(*src.get(i + 1)?)?;
            let lo = hex(*src.get(i + 2)?)?;
            Some((3, Decoded::byte(hi << 4 | lo)))
        }
        _ => None,
    }
}

fn hex4(src: &[u8], at: usize) -> Option<u32> {
    let digits = src.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc << 4 | u32::from(hex(b)?)))
}

fn json_at(src: &[u8], i: usize) -> Option<(usize, Decoded)> {
    if src[i] != b'\\' {
        return None;
    }
    let simple = match *src.get(i + 1)? {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'u' => return unicode_escape(src, i),
        _ => return None,
    };
    Some((2, Decoded::byte(simple)))
}

fn unicode_escape(src: &[u8], i: usize) -> Option<(usize, Decoded)> {
    let first = hex4(src, i + 2)?;
    if (0xD800..0xDC00).contains(&first) {
        // A high surrogate: only meaningful with the low surrogate that follows.
        if src.get(i + 6..i + 8) != Some(b"\\u") {
            return None;
        }
        let second = hex4(src, i + 8)?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        return Some((12, Decoded::char(char::from_u32(code)?)));
    }
    Some((6, Decoded::char(char::from_u32(first)?)))
}

/// `fail[i]`: the length of the longest proper prefix of `n[..=i]` that is also its suffix.
pub(crate) fn failure_function(n: &[u8]) -> Vec<usize> {
    let mut fail = vec![0; n.len()];
    let mut k = 0;
    for i in 1..n.len() {
        while k > 0 && n[i] != n[k] {
            k = fail[k - 1];
        }
        if n[i] == n[k] {
            k += 1;
        }
        fail[i] = k;
    }
    fail
}

/// Where a secret cut at `cut` ends: before any whitespace or U+FFFD (a character split
/// by a byte cap) in front of the cut marker.
pub(crate) fn before_cut(bytes: &[u8], cut: usize) -> usize {
    let mut end = cut;
    loop {
        if end >= 3 && &bytes[end - 3..end] == "\u{fffd}".as_bytes() {
            end -= 3;
        } else if end >= 1 && matches!(bytes[end - 1], b' ' | b'\n' | b'\r' | b'\t') {
            end -= 1;
        } else {
            return end;
        }
    }
}

/// Replaces the (possibly overlapping) byte ranges of `text` with [`crate::REDACTED`].
pub(crate) fn replace_ranges(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut i = 0;
    while i < ranges.len() {
        let (mut start, mut end) = ranges[i];
        i += 1;
        while i < ranges.len() && ranges[i].0 <= end {
            end = end.max(ranges[i].1);
            i += 1;
        }
        start = start.max(pos);
        while start > pos && !text.is_char_boundary(start) {
            start -= 1;
        }
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        if end <= start {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(crate::REDACTED);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &View) -> String {
        String::from_utf8_lossy(&v.bytes).into_owned()
    }

    #[test]
    fn percent_decodes_any_case_and_any_character() {
        let v = decode("a%2fb%2Fc%7E%21+d", Decoding::Percent);
        assert_eq!(text(&v), "a/b/c~!+d");
        assert_eq!(v.original(1, 2), (1, 4));
        let f = decode("a+b%2B", Decoding::Form);
        assert_eq!(text(&f), "a b+");
    }

    #[test]
    fn json_decodes_go_escapes_slashes_and_surrogates() {
        let v = decode(r#"\u0026\u003c\/x\u00e4\"\ud83d\ude00"#, Decoding::Json);
        assert_eq!(text(&v), "&</xä\"😀");
        // 'ä' is two decoded bytes from one six-byte escape.
        let a = v.bytes.iter().position(|&b| b == 0xC3).unwrap();
        assert_eq!(v.original(a, a + 2), (15, 21));
    }

    #[test]
    fn malformed_escapes_stay_as_they_are() {
        assert_eq!(text(&decode("%zz%4", Decoding::Percent)), "%zz%4");
        assert_eq!(text(&decode(r"\q\ud800x", Decoding::Json)), r"\q\ud800x");
    }
}
