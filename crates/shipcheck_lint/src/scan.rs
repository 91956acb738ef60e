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
    let mut hits = Vec::new();
    let at = |start: usize| {
        let before = &text[..start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    };
    for t in find_tokens(text) {
        let (line, column) = at(t.start);
        hits.push(SecretHit {
            line,
            column,
            rule: "secrets/known-token-format",
            message: format!("{} `{}`", t.name, mask(t.text)),
        });
    }
    if text.contains("://") {
        for c in find_url_credentials(text) {
            if c.password.starts_with("$(") {
                continue;
            }
            let (line, column) = at(c.start);
            hits.push(SecretHit {
                line,
                column,
                rule: "secrets/credentials-in-url",
                message: format!(
                    "`{}://` URL to `{}` contains the password `{}`",
                    c.scheme,
                    c.host,
                    mask(c.password)
                ),
            });
        }
    }
    if text.contains("PRIVATE KEY") {
        for k in find_private_keys(text) {
            let (line, column) = at(k.start);
            hits.push(SecretHit {
                line,
                column,
                rule: "secrets/private-key",
                message: format!("a {}", k.kind.to_ascii_lowercase()),
            });
        }
    }
    hits.sort_by_key(|h| (h.line, h.column));
    hits
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
}
