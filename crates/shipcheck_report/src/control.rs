//! Removal of terminal control sequences from text a server sent, before it can reach a
//! TTY: ESC sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character escapes), their
//! 8-bit C1 forms, BEL and every other C0 control except `\n` and `\t`, and DEL.

use std::borrow::Cow;

const ESC: char = '\u{1b}';
const BEL: char = '\u{7}';
/// 8-bit CSI, OSC and ST.
const CSI8: char = '\u{9b}';
const OSC8: char = '\u{9d}';
const ST8: char = '\u{9c}';

/// Returns `s` without terminal control sequences; borrows when there is nothing to strip.
pub fn strip_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // A two-character escape (or a lone ESC at the end): drop both.
                _ => {}
            },
            CSI8 => skip_csi(&mut chars),
            OSC8 | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_control(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}'
}

/// Skips a CSI's parameter and intermediate bytes and its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !(' '..='\u{7e}').contains(&c) {
            return;
        }
    }
}

/// Skips an OSC/DCS/SOS/PM/APC string up to BEL, ST or `ESC \`.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | ST8 => return,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_c0_controls_are_removed() {
        let hostile = "a\u{1b}[31mred\u{1b}[0m \u{1b}]0;title\u{7}b\u{1b}]8;;http://x\u{1b}\\c\rd\u{0}e\u{7f}f\u{9b}2Jg\u{1b}Ph";
        assert_eq!(strip_controls(hostile), "ared bcdefg");
    }

    #[test]
    fn newlines_tabs_and_plain_text_are_kept_borrowed() {
        let s = "line 1\n\tline 2 — ä";
        assert!(matches!(strip_controls(s), Cow::Borrowed(_)));
    }
}
