//! Redaction of secrets from every string of a report (DESIGN.md §11).
//!
//! A secret is removed in its raw, URL-encoded, form-encoded, JSON-escaped and base64
//! forms (standard and URL-safe alphabets, at every byte alignment, so it is also found
//! inside a longer base64 blob such as a `Basic` credential). Passwords inside URLs
//! (`scheme://user:password@host`) are removed wherever they appear, declared or not.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use regex::Regex;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `application/x-www-form-urlencoded` leaves these unescaped (WHATWG URL standard).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');
/// `encodeURIComponent` leaves these unescaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are not redacted by substring (they would mangle output);
/// the plan loader rejects shorter declared secrets instead.
const MIN_SECRET_LEN: usize = 4;

static URL_PASSWORD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // scheme://user:password@  — the password runs up to the last '@' before the host part.
    Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]*:)([^\s@/]+)@").ok()
});

/// Replaces the password of any `scheme://user:password@host` URL in `s`.
pub fn redact_url_password(s: &str) -> String {
    match URL_PASSWORD.as_ref() {
        Some(re) => re.replace_all(s, format!("${{1}}{REDACTED}@")).into_owned(),
        None => s.to_owned(),
    }
}

/// Removes registered secrets from strings and whole report structures.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every encoded form of every secret, longest first.
    needles: Vec<String>,
}

impl Redactor {
    /// An empty redactor (it still removes passwords in URLs).
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret value; its encoded forms are derived here.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SECRET_LEN {
            return;
        }
        let mut forms = vec![secret.to_owned()];
        for set in [NON_ALPHANUMERIC, COMPONENT] {
            forms.push(utf8_percent_encode(secret, set).to_string());
        }
        forms.push(form_encode(secret));
        if let Ok(json) = serde_json::to_string(secret) {
            forms.push(json[1..json.len() - 1].to_owned());
        }
        forms.push(STANDARD.encode(secret));
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            // The secret's base64 at each of the three byte alignments inside a longer blob:
            // keep only the characters that depend on the secret's bytes alone.
            for offset in 0..3usize {
                let mut buf = vec![0u8; offset];
                buf.extend_from_slice(secret.as_bytes());
                let enc = engine.encode(&buf);
                let start = if offset == 0 { 0 } else { 4 };
                let end = (buf.len() / 3) * 4;
                if end > start && end - start >= 6 {
                    forms.push(enc[start..end].to_owned());
                }
            }
        }
        for f in forms {
            if f.len() >= MIN_SECRET_LEN && !self.needles.contains(&f) {
                self.needles.push(f);
            }
        }
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    /// True when no secret is registered.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Returns `s` with every registered secret form and every URL password replaced.
    pub fn redact_str(&self, s: &str) -> String {
        let mut out = redact_url_password(s);
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), REDACTED);
            }
        }
        out
    }

    /// Redacts every string inside a JSON value, in place.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => {
                let r = self.redact_str(s);
                if r != *s {
                    *s = r;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }

    /// Returns a copy of any serialisable structure (a `Report`, a `CheckResult`…) with
    /// every string redacted. Falls back to an unchanged clone only if the type does not
    /// round-trip through JSON, which the report types always do.
    pub fn redact<T: Serialize + DeserializeOwned + Clone>(&self, value: &T) -> T {
        let Ok(mut json) = serde_json::to_value(value) else {
            return value.clone();
        };
        self.redact_json(&mut json);
        serde_json::from_value(json).unwrap_or_else(|_| value.clone())
    }
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for part in s.split(' ') {
        if !out.is_empty() {
            out.push('+');
        }
        out.push_str(&utf8_percent_encode(part, FORM).to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t/pa ss\"wo-rd+=_.";

    fn redactor() -> Redactor {
        let mut r = Redactor::new();
        r.add_secret(SECRET);
        r
    }

    #[test]
    fn raw_url_json_and_base64_forms_are_removed() {
        let r = redactor();
        let forms = [
            SECRET.to_owned(),
            utf8_percent_encode(SECRET, NON_ALPHANUMERIC).to_string(),
            utf8_percent_encode(SECRET, COMPONENT).to_string(),
            utf8_percent_encode(SECRET, FORM).to_string(),
            form_encode(SECRET),
            serde_json::to_string(SECRET).unwrap(),
            STANDARD.encode(SECRET),
            URL_SAFE_NO_PAD.encode(SECRET),
        ];
        for f in forms {
            let text = format!("before {f} after");
            let out = r.redact_str(&text);
            assert!(!out.contains(SECRET), "{out}");
            assert!(out.contains(REDACTED), "form {f:?} not redacted: {out}");
        }
    }

    #[test]
    fn base64_inside_a_longer_blob_is_removed_at_every_alignment() {
        let r = redactor();
        for prefix in ["", "a", "ab", "abc", "user:"] {
            let blob = STANDARD.encode(format!("{prefix}{SECRET}tail"));
            let out = r.redact_str(&format!("Authorization: Basic {blob}"));
            assert!(out.contains(REDACTED), "prefix {prefix:?}: {out}");
        }
    }

    #[test]
    fn url_passwords_are_removed_without_declaration() {
        let out = Redactor::new().redact_str("postgres://app:hunter22@db:5432/app?sslmode=disable");
        assert_eq!(out, "postgres://app:[REDACTED]@db:5432/app?sslmode=disable");
        let plain = Redactor::new().redact_str("see http://example.com:8080/a@b");
        assert_eq!(plain, "see http://example.com:8080/a@b");
    }

    #[test]
    fn whole_structures_are_redacted() {
        let mut c = crate::CheckResult::new("login", "http");
        c.evidence.push(crate::Evidence {
            label: "response".into(),
            text: format!("{{\"echo\":{}}}", serde_json::to_string(SECRET).unwrap()),
            truncated: false,
        });
        c.reason = Some(format!("got {SECRET}"));
        let red = redactor().redact(&c);
        let json = serde_json::to_string(&red).unwrap();
        assert!(!json.contains("s3cr3t"), "{json}");
    }

    #[test]
    fn short_values_are_not_used_as_needles() {
        let mut r = Redactor::new();
        r.add_secret("ab");
        assert!(r.is_empty());
        assert_eq!(r.redact_str("abc"), "abc");
    }
}
