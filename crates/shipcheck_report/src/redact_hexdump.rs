//! Secrets inside the hex dump of a binary body (`shipcheck_http`'s evidence excerpt:
//! `00000040  6f 6e 3a 20 …  |on: Bearer beare|`): a secret there is split over dump lines,
//! in hex and in the ASCII column, so no needle matches the text. The dump's bytes are
//! decoded, searched, and every dump line that holds part of a match is masked whole (its
//! offset stays). A dump stops at a size cap, so a block's end is treated as a cut: a
//! secret's prefix there is masked too.

use aho_corasick::AhoCorasick;

/// Bytes per dump line and the width of one byte's slot (`" 6f"`).
const PER_LINE: usize = 16;
const SLOT: usize = 3;
/// The offset column: eight hex digits, then a space.
const OFFSET: usize = 9;

/// Pushes, for every dump line in `text` that holds part of a needle match, or of the
/// needle prefix that `prefix_at_end` finds at a block's end (its length), the byte range
/// of the line after its offset column.
pub(crate) fn hexdump_ranges(
    matcher: &AhoCorasick,
    prefix_at_end: &dyn Fn(&[u8]) -> Option<usize>,
    text: &str,
    ranges: &mut Vec<(usize, usize)>,
) {
    let mut block = Block {
        matcher,
        prefix_at_end,
        bytes: Vec::new(),
        line_of: Vec::new(),
        lines: Vec::new(),
    };
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        match dump_line(body) {
            Some(decoded) => {
                let n = block.lines.len();
                block.line_of.extend(std::iter::repeat_n(n, decoded.len()));
                block.bytes.extend(decoded);
                block.lines.push((start + OFFSET, start + body.len()));
            }
            None => block.flush(ranges),
        }
        start += line.len();
    }
    block.flush(ranges);
}

/// The current block of consecutive dump lines: decoded bytes, the line of each byte, and
/// each line's maskable range.
struct Block<'a> {
    matcher: &'a AhoCorasick,
    prefix_at_end: &'a dyn Fn(&[u8]) -> Option<usize>,
    bytes: Vec<u8>,
    line_of: Vec<usize>,
    lines: Vec<(usize, usize)>,
}

impl Block<'_> {
    /// Pushes the ranges of the lines that hold a match or the prefix at the block's end,
    /// and starts a new block.
    fn flush(&mut self, ranges: &mut Vec<(usize, usize)>) {
        if !self.bytes.is_empty() {
            for m in self.matcher.find_iter(self.bytes.as_slice()) {
                let (first, last) = (self.line_of[m.start()], self.line_of[m.end() - 1]);
                ranges.extend_from_slice(&self.lines[first..=last]);
            }
            if let Some(len) = (self.prefix_at_end)(&self.bytes) {
                let first = self.line_of[self.bytes.len() - len];
                ranges.extend_from_slice(&self.lines[first..]);
            }
        }
        self.bytes.clear();
        self.line_of.clear();
        self.lines.clear();
    }
}

/// The bytes of one dump line (`{:08x} ` then up to 16 ` xx` slots, blank slots `   `,
/// then `  |ascii|`), or `None` for any other line.
fn dump_line(line: &str) -> Option<Vec<u8>> {
    let b = line.as_bytes();
    if b.len() < OFFSET + PER_LINE * SLOT + 3
        || !b[..8].iter().all(u8::is_ascii_hexdigit)
        || b[8] != b' '
    {
        return None;
    }
    let mut out = Vec::with_capacity(PER_LINE);
    for i in 0..PER_LINE {
        let slot = &b[OFFSET + i * SLOT..OFFSET + (i + 1) * SLOT];
        if slot == b"   " {
            continue;
        }
        if slot[0] != b' ' {
            return None;
        }
        let hex = std::str::from_utf8(&slot[1..]).ok()?;
        out.push(u8::from_str_radix(hex, 16).ok()?);
    }
    let rest = &b[OFFSET + PER_LINE * SLOT..];
    (rest.starts_with(b"  |") && rest.ends_with(b"|")).then_some(out)
}

#[cfg(test)]
mod tests {
    use crate::{REDACTED, Redactor};

    /// The dump `shipcheck_http` writes (16 bytes a line, hex then ASCII).
    fn dump(body: &[u8]) -> String {
        let mut out = format!("[binary body: {} bytes]\n", body.len());
        for (n, chunk) in body.chunks(16).enumerate() {
            out.push_str(&format!("{:08x} ", n * 16));
            for i in 0..16 {
                match chunk.get(i) {
                    Some(b) => out.push_str(&format!(" {b:02x}")),
                    None => out.push_str("   "),
                }
            }
            out.push_str("  |");
            out.extend(chunk.iter().map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            }));
            out.push_str("|\n");
        }
        out
    }

    #[test]
    fn a_secret_split_over_dump_lines_is_masked_in_hex_and_ascii() {
        let mut r = Redactor::new();
        r.add_secret("bearerLit8Nd3Xq");
        let body = b"\x00\x01GET /b HTTP/1.1\r\nauthorization: Bearer bearerLit8Nd3Xq\r\nuser-agent: x\r\n";
        let text = format!("before\n{}after\n", dump(body));
        let out = r.redact_str(&text);
        assert!(!out.contains("beare") && !out.contains("rLit8"), "{out}");
        assert!(!out.contains("62 65 61 72 65"), "{out}");
        assert!(out.contains(REDACTED) && out.contains("before\n") && out.contains("after\n"));
        // Lines without the secret stay.
        assert!(out.contains("|..GET /b HTTP/1.|"), "{out}");
    }

    #[test]
    fn a_secret_prefix_where_the_dump_stops_is_masked() {
        let mut r = Redactor::new();
        r.add_secret("bearerLit8Nd3Xq");
        // The dump stops at its cap inside the secret: "bear" | "erLit" on the last line.
        let body = b"\x00\x01authorization: Bearer bearerLit";
        let out = r.redact_str(&dump(body));
        assert!(!out.contains("erLit") && !out.contains("4c 69 74"), "{out}");
        assert!(!out.contains("bear"), "{out}");
        assert!(out.contains(REDACTED), "{out}");
        // The first line (no part of the secret) stays.
        assert!(out.contains("|..authorization:|"), "{out}");
    }

    #[test]
    fn a_dump_without_secrets_is_unchanged() {
        let mut r = Redactor::new();
        r.add_secret("bearerLit8Nd3Xq");
        let text = dump(b"\x00\x01 nothing to hide here, only bytes \xff\xfe");
        assert_eq!(r.redact_str(&text), text);
    }
}
