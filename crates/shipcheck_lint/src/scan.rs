//! The `secrets/*` rules over any text (a file inside a release package), without file
//! kinds, configuration or suppressions: what other crates call to say "no secrets inside".

use crate::mask::mask;
use crate::patterns::{find_private_keys, find_tokens, find_url_credentials};

/// A secret found in a text; the message holds the masked secret, never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The rule (`secrets/known-token-format`, `secrets/credentials-in-url`, `secrets/private-key`).
    pub rule: &'static str,
    /// What was found, masked.
    pub message: String,
}

/// Every secret the `secrets/*` rules find in `text`, in text order, masked.
pub fn secrets_in_text(text: &str) -> Vec<SecretHit> {
    // (byte offset, rule, message), turned into lines and columns in one pass at the end:
    // counting from the start of the text for each hit was quadratic in the number of hits.
    let mut found: Vec<(usize, &'static str, String)> = Vec::new();
    for t in find_tokens(text) {
        let message = format!("{} `{}`", t.name, mask(t.text));
        found.push((t.start, "secrets/known-token-format", message));
    }
    if text.contains("://") {
        for c in find_url_credentials(text) {
            if c.password.starts_with("$(") {
                continue;
            }
            let message = format!(
                "`{}://` URL to `{}` contains the password `{}`",
                c.scheme,
                c.host,
                mask(c.password)
            );
            found.push((c.start, "secrets/credentials-in-url", message));
        }
    }
    if text.contains("PRIVATE KEY") {
        for k in find_private_keys(text) {
            let message = format!("a {}", k.kind.to_ascii_lowercase());
            found.push((k.start, "secrets/private-key", message));
        }
    }
    // Stable: hits at one offset keep the order of the rules above.
    found.sort_by_key(|(start, _, _)| *start);
    let mut cursor = Cursor::default();
    found
        .into_iter()
        .map(|(start, rule, message)| {
            let (line, column) = cursor.advance(text, start);
            SecretHit {
                line,
                column,
                rule,
                message,
            }
        })
        .collect()
}

/// A position moving forward through a text: 1-based line and character column of the
/// offsets asked in increasing order, each character read once in all.
struct Cursor {
    offset: usize,
    line: usize,
    column: usize,
}

impl Default for Cursor {
    fn default() -> Self {
        Self {
            offset: 0,
            line: 1,
            column: 1,
        }
    }
}

impl Cursor {
    fn advance(&mut self, text: &str, to: usize) -> (usize, usize) {
        let mut to = to.min(text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        for c in text.get(self.offset..to).unwrap_or_default().chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset = self.offset.max(to);
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::secrets_in_text;

    #[test]
    fn tokens_and_url_passwords_are_found_and_masked() {
        let text = "import os\nTOKEN = 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'\nDB = 'postgres://app:s3cretpassw0rd@db/app'\n";
        let hits = secrets_in_text(text);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(
            (hits[0].line, hits[0].rule),
            (2, "secrets/known-token-format")
        );
        assert_eq!(
            (hits[1].line, hits[1].rule),
            (3, "secrets/credentials-in-url")
        );
        assert!(hits.iter().all(|h| {
            !h.message.contains("s3cretpassw0rd")
                && !h
                    .message
                    .contains("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789")
        }));
        assert!(secrets_in_text("print('hello')\n").is_empty());
    }

    /// Lines and character columns, including after multi-byte characters and for hits of
    /// different rules out of order in the text.
    #[test]
    fn positions_are_lines_and_character_columns() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----";
        let text = format!(
            "é = 'postgres://a:longpassw0rd@db/x'\n{key}\nnoël ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n"
        );
        let hits = secrets_in_text(&text);
        let at: Vec<_> = hits.iter().map(|h| (h.line, h.column, h.rule)).collect();
        assert_eq!(
            at,
            [
                (1, 6, "secrets/credentials-in-url"),
                (2, 1, "secrets/private-key"),
                (5, 6, "secrets/known-token-format"),
            ]
        );
    }

    /// Many hits cost linear time: a 1 MiB text of tokens (the `package` kind's scan cap)
    /// took over 100 s (debug build) when each hit's line was counted from the start of the
    /// text and each token was checked against every earlier one; a few seconds now.
    #[test]
    fn many_hits_are_positioned_in_linear_time() {
        let line = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n";
        let text = line.repeat(1024 * 1024 / line.len());
        let start = std::time::Instant::now();
        let hits = secrets_in_text(&text);
        assert_eq!(hits.len(), 1024 * 1024 / line.len());
        assert_eq!(
            hits.last().map(|h| (h.line, h.column)),
            Some((hits.len(), 1))
        );
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "{:?}",
            start.elapsed()
        );
    }
}
