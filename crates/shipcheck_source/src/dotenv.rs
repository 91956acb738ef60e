//! `.env` parser: `KEY=VALUE` lines, comments, `export`, single/double/backtick quotes
//! (double-quoted values may span lines), inline comments, with positions.

use crate::text::{SourceFile, TextRange};

/// A parsed `.env` file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvFile {
    /// Entries in order (duplicates kept).
    pub entries: Vec<EnvEntry>,
    /// Full-line comments in order.
    pub comments: Vec<EnvComment>,
    /// Lines that are not valid entries.
    pub errors: Vec<EnvError>,
}

/// How a value was quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// Unquoted.
    None,
    /// `'…'`
    Single,
    /// `"…"`
    Double,
    /// `` `…` ``
    Backtick,
}

/// One `KEY=VALUE` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_range: TextRange,
    /// The value after unquoting (escapes processed in double quotes).
    pub value: String,
    /// Where the value is written (including quotes).
    pub value_range: TextRange,
    /// How the value was quoted.
    pub quote: Quote,
    /// True for `export KEY=…`.
    pub export: bool,
    /// The inline comment after the value, if any.
    pub inline_comment: Option<String>,
    /// True when the line directly above is a comment.
    pub comment_above: bool,
    /// 1-based line of the key.
    pub line: u32,
}

/// A full-line comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvComment {
    /// Text after `#`, trimmed.
    pub text: String,
    /// Where the comment is written.
    pub range: TextRange,
    /// 1-based line.
    pub line: u32,
}

/// A line that is not a valid entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    /// Lowercase description.
    pub message: String,
    /// Where it is.
    pub range: TextRange,
}

/// Parses a `.env` file.
pub fn parse_env(file: &SourceFile) -> EnvFile {
    let text = file.text.as_str();
    let mut out = EnvFile::default();
    let mut pos = 0usize;
    let mut line_no = 0u32;
    let mut prev_comment = false;
    while pos < text.len() {
        line_no += 1;
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..line_end].trim_end_matches('\r');
        let trimmed = line.trim_start();
        let lead = pos + (line.len() - trimmed.len());
        if trimmed.is_empty() {
            prev_comment = false;
            pos = line_end + 1;
            continue;
        }
        if let Some(c) = trimmed.strip_prefix('#') {
            out.comments.push(EnvComment {
                text: c.trim().to_owned(),
                range: TextRange::from_usize(lead, lead + trimmed.len()),
                line: line_no,
            });
            prev_comment = true;
            pos = line_end + 1;
            continue;
        }
        let (export, body, body_start) = match trimmed.strip_prefix("export") {
            Some(rest) if rest.starts_with([' ', '\t']) => {
                let r = rest.trim_start();
                (true, r, lead + (trimmed.len() - r.len()))
            }
            _ => (false, trimmed, lead),
        };
        let Some(eq) = body.find('=') else {
            out.errors.push(EnvError {
                message: format!("expected `KEY=VALUE`, found `{}`", truncate(body, 40)),
                range: TextRange::from_usize(lead, lead + trimmed.len()),
            });
            prev_comment = false;
            pos = line_end + 1;
            continue;
        };
        let key = body[..eq].trim_end();
        let key_range = TextRange::from_usize(body_start, body_start + key.len());
        if !valid_key(key) {
            out.errors.push(EnvError {
                message: format!("invalid variable name `{}`", truncate(key, 40)),
                range: key_range,
            });
        }
        // Value: may continue over several lines when quoted.
        let after_eq = body_start + eq + 1;
        let rest_all = &text[after_eq..];
        let ws = rest_all.len() - rest_all.trim_start_matches([' ', '\t']).len();
        let vstart = after_eq + ws;
        let first = text[vstart..].chars().next();
        let quote = match first {
            Some('"') => Quote::Double,
            Some('\'') => Quote::Single,
            Some('`') => Quote::Backtick,
            _ => Quote::None,
        };
        let (value, vend, next_pos, inline_comment) = if quote == Quote::None {
            let raw = &text[vstart..line_end.max(vstart)];
            let raw = raw.trim_end_matches('\r');
            let (v, c) = match raw.find(" #").or_else(|| raw.find("\t#")) {
                Some(i) => (&raw[..i], Some(raw[i + 2..].trim().to_owned())),
                None => (raw, None),
            };
            let v = v.trim_end();
            (v.to_owned(), vstart + v.len(), line_end + 1, c)
        } else {
            let q = match quote {
                Quote::Double => '"',
                Quote::Single => '\'',
                _ => '`',
            };
            match scan_quoted(text, vstart + 1, q) {
                Some((v, close)) => {
                    let close_line_end = text[close..].find('\n').map_or(text.len(), |i| close + i);
                    let tail = text[close + 1..close_line_end].trim();
                    let c = tail.strip_prefix('#').map(|c| c.trim().to_owned());
                    if !tail.is_empty() && c.is_none() {
                        out.errors.push(EnvError {
                            message: "unexpected characters after the closing quote".into(),
                            range: TextRange::from_usize(close + 1, close_line_end),
                        });
                    }
                    line_no +=
                        u32::try_from(text[vstart..close].matches('\n').count()).unwrap_or(0);
                    (v, close + 1, close_line_end + 1, c)
                }
                None => {
                    out.errors.push(EnvError {
                        message: format!("unterminated {q}-quoted value"),
                        range: TextRange::from_usize(vstart, vstart + 1),
                    });
                    (String::new(), vstart + 1, line_end + 1, None)
                }
            }
        };
        out.entries.push(EnvEntry {
            key: key.to_owned(),
            key_range,
            value,
            value_range: TextRange::from_usize(vstart, vend),
            quote,
            export,
            inline_comment,
            comment_above: prev_comment,
            line: line_no
                - u32::try_from(text[vstart..vend.min(text.len())].matches('\n').count())
                    .unwrap_or(0),
        });
        prev_comment = false;
        pos = next_pos;
    }
    out
}

/// Reads a quoted value starting after the opening quote; returns the value and the
/// offset of the closing quote.
fn scan_quoted(text: &str, start: usize, q: char) -> Option<(String, usize)> {
    let mut v = String::new();
    let mut chars = text[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c == q {
            return Some((v, start + i));
        }
        if c == '\\' && q == '"' {
            match chars.next() {
                Some((_, 'n')) => v.push('\n'),
                Some((_, 't')) => v.push('\t'),
                Some((_, 'r')) => v.push('\r'),
                Some((_, e @ ('"' | '\\' | '$'))) => v.push(e),
                Some((_, e)) => {
                    v.push('\\');
                    v.push(e);
                }
                None => return None,
            }
            continue;
        }
        v.push(c);
    }
    None
}

fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{FileId, FileKind};

    fn parse(t: &str) -> (SourceFile, EnvFile) {
        let f = SourceFile::new(
            FileId(0),
            ".env",
            t.to_owned(),
            FileKind::Env { template: true },
        );
        let e = parse_env(&f);
        (f, e)
    }

    #[test]
    fn entries_comments_quotes_export() {
        let (f, e) = parse(
            "# db\nexport DB_URL=postgres://x # the url\nA='x # y'\nB=\"line1\nline2\"\nC=\n\nD = plain \n",
        );
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        let keys: Vec<_> = e.entries.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["DB_URL", "A", "B", "C", "D"]);
        assert!(e.entries[0].export && e.entries[0].comment_above);
        assert_eq!(e.entries[0].value, "postgres://x");
        assert_eq!(e.entries[0].inline_comment.as_deref(), Some("the url"));
        assert_eq!(e.entries[1].value, "x # y");
        assert_eq!(e.entries[2].value, "line1\nline2");
        assert_eq!(e.entries[2].line, 4);
        assert_eq!(e.entries[3].value, "");
        assert_eq!(e.entries[4].line, 8);
        assert_eq!(e.entries[4].value, "plain");
        assert_eq!(f.slice(e.entries[4].key_range), "D");
    }

    #[test]
    fn errors_have_positions() {
        let (f, e) = parse("OK=1\nnot an entry\nX=\"open\n");
        assert_eq!(e.errors.len(), 2);
        assert_eq!(f.line_col(e.errors[0].range.start).line, 2);
        assert_eq!(f.line_col(e.errors[1].range.start).line, 3);
    }
}
