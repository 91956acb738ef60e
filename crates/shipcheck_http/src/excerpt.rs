//! Evidence text for a response body that is safe to put in a terminal or a report: text as
//! text (control characters escaped), anything binary as a bounded hex dump.

use std::fmt::Write as _;

/// Bytes shown in a hex dump of a binary body.
const HEX_BYTES: usize = 256;

/// The body as evidence text of at most about `cap` bytes, and whether it was shortened.
///
/// UTF-8 text is kept, with control characters other than newline and tab escaped (`\x1b`),
/// so no escape sequence reaches a terminal. A body with NUL bytes, invalid UTF-8 or mostly
/// control characters is binary: a header line names its size and `content_type`, then a hex
/// dump of its first bytes follows. Raw bytes are never copied.
pub fn body_excerpt(body: &[u8], content_type: Option<&str>, cap: usize) -> (String, bool) {
    match std::str::from_utf8(body) {
        Ok(text) if !looks_binary(text) => escaped_text(text, cap),
        _ => hex_dump(body, content_type, cap),
    }
}

fn looks_binary(text: &str) -> bool {
    let mut controls = 0usize;
    let mut total = 0usize;
    for ch in text.chars() {
        total += 1;
        if ch == '\0' {
            return true;
        }
        if ch.is_control() && !matches!(ch, '\n' | '\r' | '\t') {
            controls += 1;
        }
    }
    // A few escape sequences in a log line are text; a blob of them is not.
    controls * 10 > total
}

fn escaped_text(text: &str, cap: usize) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(cap));
    for ch in text.chars() {
        if out.len() >= cap {
            return (out, true);
        }
        match ch {
            '\n' | '\t' => out.push(ch),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    (out, false)
}

fn hex_dump(body: &[u8], content_type: Option<&str>, cap: usize) -> (String, bool) {
    // Each dumped line of 16 bytes takes about 76 characters.
    let shown = body.len().min(HEX_BYTES).min(cap / 5 + 16);
    let kind = content_type.map_or_else(
        || "no content-type".to_owned(),
        |t| format!("content-type {}", escaped_text(t, 100).0),
    );
    let mut out = format!("[binary body: {} bytes, {kind}", body.len());
    if shown < body.len() {
        let _ = write!(out, "; first {shown} bytes in hex");
    }
    out.push_str("]\n");
    for (line, chunk) in body[..shown].chunks(16).enumerate() {
        let _ = write!(out, "{:08x} ", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let _ = write!(out, " {b:02x}");
                }
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        }));
        out.push_str("|\n");
    }
    (out, shown < body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_stays_text() {
        let (text, cut) =
            body_excerpt(b"{\"ok\":true}\nline two\t.", Some("application/json"), 100);
        assert_eq!(text, "{\"ok\":true}\nline two\t.");
        assert!(!cut);
    }

    #[test]
    fn terminal_escapes_in_text_are_escaped() {
        let (text, _) = body_excerpt(b"status \x1b[31mred\x1b[0m done and more text", None, 100);
        assert_eq!(text, "status \\x1b[31mred\\x1b[0m done and more text");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn binary_becomes_a_bounded_hex_dump_with_its_content_type() {
        let body: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
        let (text, cut) = body_excerpt(&body, Some("image/png"), 8 * 1024);
        assert!(cut);
        assert!(
            text.starts_with(
                "[binary body: 4096 bytes, content-type image/png; first 256 bytes in hex]\n"
            ),
            "{text}"
        );
        assert!(text.contains("00000000  00 01 02 03"), "{text}");
        assert!(text.chars().all(|c| c == '\n' || !c.is_control()), "{text}");
        assert!(text.lines().count() <= 17, "{text}");
    }

    #[test]
    fn nul_bytes_and_invalid_utf8_are_binary() {
        let (text, cut) = body_excerpt(b"PK\x03\x04\0\0", None, 100);
        assert!(
            text.starts_with("[binary body: 6 bytes, no content-type]"),
            "{text}"
        );
        assert!(text.contains("50 4b 03 04 00 00"), "{text}");
        assert!(text.contains("|PK....|"), "{text}");
        assert!(!cut);
        let (text, _) = body_excerpt(&[0xff, 0xfe, b'a'], Some("text/plain"), 100);
        assert!(text.starts_with("[binary body: 3 bytes"), "{text}");
    }

    #[test]
    fn long_text_is_cut_at_the_cap() {
        let (text, cut) = body_excerpt("é".repeat(100).as_bytes(), None, 11);
        assert!(cut);
        assert_eq!(text, "é".repeat(6));
    }
}
