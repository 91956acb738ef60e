//! Redaction of secrets from every string of a report (DESIGN.md §11).
//!
//! A secret is removed in its raw form, percent-encoded (any character set, either hex
//! case, `+` for a space), JSON-escaped (`\/`, `\u0026`, `\u00e4`, surrogate pairs) and
//! base64 forms (standard and URL-safe alphabets, at every byte alignment, so it is also
//! found inside a longer base64 blob such as a `Basic` credential). Encodings are undone
//! by decoded views of the text (one linear pass each) searched with one Aho-Corasick
//! automaton, so the cost stays linear in the text whatever the number of encodings.
//! A text cut short (a `…` marker, or the end of truncated evidence) loses the prefix of
//! a secret cut there too. Passwords inside URLs (`scheme://user:password@host`) are
//! removed wherever they appear, declared or not.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use regex::Regex;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::control::strip_controls;
use crate::redact_views::{Decoding, View, before_cut, decode, failure_function, replace_ranges};

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are not redacted by substring (they would mangle output);
/// the plan loader rejects shorter declared secrets instead.
const MIN_SECRET_LEN: usize = 4;
/// A secret's prefix at a cut is masked from this many bytes on.
const MIN_CUT_PREFIX: usize = 3;
/// The marker every truncation in shipcheck leaves at a cut.
const CUT_MARK: &[u8] = "…".as_bytes();

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

/// Byte ranges of the passwords of `scheme://user:password@host` URLs in `s`.
fn url_password_ranges(s: &str) -> Vec<(usize, usize)> {
    let Some(re) = URL_PASSWORD.as_ref() else {
        return Vec::new();
    };
    re.captures_iter(s)
        .filter_map(|c| c.get(2))
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Removes registered secrets from strings and whole report structures. Its `Debug`
/// form shows how many needles it holds, never the secrets.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every secret and its base64 forms, deduplicated.
    needles: Vec<String>,
    /// One automaton over `needles` (leftmost-longest), rebuilt when a secret is added.
    matcher: Option<AhoCorasick>,
    /// The KMP failure function of each needle, for its longest prefix at a cut.
    failure: Vec<Vec<usize>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("needles", &self.needles.len())
            .finish_non_exhaustive()
    }
}

impl Redactor {
    /// An empty redactor (it still removes passwords in URLs).
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a secret value; its base64 and hex forms are derived here, the other
    /// encodings are undone in the text when it is redacted.
    pub fn add_secret(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SECRET_LEN || self.needles.iter().any(|n| n == secret) {
            return;
        }
        let mut forms = vec![secret.to_owned(), STANDARD.encode(secret)];
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
        // Hex, as `od`/`xxd -p` print it and as the evidence's hex dump of a binary body
        // shows the bytes of one line (issue 16.4: `printf %s "$TOKEN" | od -tx1` in an
        // `exec` check printed a declared secret that no other form caught).
        let hex: Vec<String> = secret.bytes().map(|b| format!("{b:02x}")).collect();
        forms.push(hex.concat());
        forms.push(hex.concat().to_uppercase());
        forms.push(hex.join(" "));
        for f in forms {
            if f.len() >= MIN_SECRET_LEN && !self.needles.contains(&f) {
                self.failure.push(failure_function(f.as_bytes()));
                self.needles.push(f);
            }
        }
        self.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&self.needles)
            .ok();
    }

    /// True when no secret is registered.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Returns `s` with every registered secret form and every URL password replaced.
    pub fn redact_str(&self, s: &str) -> String {
        self.redact_text(s, false)
    }

    /// Like [`Redactor::redact_str`] for a text that was cut at its end: a secret's
    /// prefix at the end is masked too.
    pub fn redact_cut_str(&self, s: &str) -> String {
        self.redact_text(s, true)
    }

    /// Returns `s` with every byte of every secret and URL password replaced by `*`, so
    /// byte offsets into `s` stay valid (for code frames that point into a source).
    pub fn mask_same_length(&self, s: &str) -> String {
        let mut ranges = url_password_ranges(s);
        if let Some(matcher) = &self.matcher {
            self.secret_ranges(matcher, s, false, &mut ranges);
        }
        let mut bytes = s.as_bytes().to_vec();
        for (start, end) in ranges {
            bytes[start..end].fill(b'*');
        }
        // Whole characters were replaced; anything else is replaced lossily, never kept.
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    fn redact_text(&self, s: &str, cut_at_end: bool) -> String {
        let text = redact_url_password(s);
        let Some(matcher) = &self.matcher else {
            return text;
        };
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        self.secret_ranges(matcher, &text, cut_at_end, &mut ranges);
        if ranges.is_empty() {
            return text;
        }
        replace_ranges(&text, ranges)
    }

    /// The byte ranges of `text` that hold a secret, in any encoding, or its prefix at a cut.
    fn secret_ranges(
        &self,
        matcher: &AhoCorasick,
        text: &str,
        cut_at_end: bool,
        ranges: &mut Vec<(usize, usize)>,
    ) {
        self.find_in(matcher, text.as_bytes(), None, cut_at_end, ranges);
        let prefix_at_end = |bytes: &[u8]| self.longest_prefix_before(bytes, bytes.len());
        crate::redact_hexdump::hexdump_ranges(matcher, &prefix_at_end, text, ranges);
        for how in Decoding::ALL {
            if how.applies(text) {
                let view = decode(text, how);
                self.find_in(matcher, &view.bytes, Some(&view), cut_at_end, ranges);
            }
        }
    }

    /// Pushes the original spans of every needle match and every needle prefix at a cut
    /// in `bytes` (a decoded `view` of the text, or the text itself).
    fn find_in(
        &self,
        matcher: &AhoCorasick,
        bytes: &[u8],
        view: Option<&View>,
        cut_at_end: bool,
        ranges: &mut Vec<(usize, usize)>,
    ) {
        let original = |a: usize, b: usize| view.map_or((a, b), |v| v.original(a, b));
        for m in matcher.find_iter(bytes) {
            ranges.push(original(m.start(), m.end()));
        }
        let mut cuts: Vec<usize> = bytes
            .windows(CUT_MARK.len())
            .enumerate()
            .filter(|(_, w)| *w == CUT_MARK)
            .map(|(i, _)| i)
            .collect();
        if cut_at_end {
            cuts.push(bytes.len());
        }
        for cut in cuts {
            let end = before_cut(bytes, cut);
            if let Some(len) = self.longest_prefix_before(bytes, end) {
                ranges.push(original(end - len, end));
            }
        }
    }

    /// The length (at least [`MIN_CUT_PREFIX`]) of the longest proper prefix of a needle
    /// that ends at `end`: one KMP pass per needle over the needle's length of text before
    /// the cut, so many cut markers in a hostile text stay cheap.
    fn longest_prefix_before(&self, bytes: &[u8], end: usize) -> Option<usize> {
        self.needles
            .iter()
            .zip(&self.failure)
            .filter_map(|(n, fail)| {
                let n = n.as_bytes();
                let tail = &bytes[end.saturating_sub(n.len().saturating_sub(1))..end];
                let mut k = 0;
                for &b in tail {
                    while k > 0 && (k == n.len() || n[k] != b) {
                        k = fail[k - 1];
                    }
                    if n[k] == b {
                        k += 1;
                    }
                }
                (k >= MIN_CUT_PREFIX && k < n.len()).then_some(k)
            })
            .max()
    }

    /// Redacts every string inside a JSON value, in place. The text of evidence marked
    /// `truncated` is treated as cut at its end.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => {
                let r = self.redact_str(s);
                if r != *s {
                    *s = r;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(map) => {
                let cut = map.get("truncated") == Some(&serde_json::Value::Bool(true));
                for (k, v) in map.iter_mut() {
                    match v {
                        // An attachment's bytes are not text (a screenshot); what it shows
                        // is kept from secrets where it is taken.
                        serde_json::Value::String(_) if k == ATTACHMENT_DATA => {}
                        serde_json::Value::String(s) if cut && k == "text" => {
                            *s = self.redact_cut_str(s);
                        }
                        _ => self.redact_json(v),
                    }
                }
            }
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

    /// Like [`Redactor::redact`], then strips terminal control sequences from every
    /// string: for anything shown on a terminal while the run is going on.
    pub fn redact_for_display<T: Serialize + DeserializeOwned + Clone>(&self, value: &T) -> T {
        let Ok(mut json) = serde_json::to_value(value) else {
            return value.clone();
        };
        self.redact_json(&mut json);
        strip_json(&mut json);
        serde_json::from_value(json).unwrap_or_else(|_| value.clone())
    }
}

/// The key of an attachment's base64 content, left as it is by redaction and stripping.
const ATTACHMENT_DATA: &str = "data_base64";

fn strip_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(clean) = strip_controls(s) {
                *s = clean;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_json),
        serde_json::Value::Object(map) => map
            .iter_mut()
            .filter(|(k, _)| *k != ATTACHMENT_DATA)
            .for_each(|(_, v)| strip_json(v)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

    use super::*;

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
    /// RFC 3986 unreserved characters stay; everything else is escaped.
    const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');

    fn form_encode(s: &str) -> String {
        s.split(' ')
            .map(|part| utf8_percent_encode(part, FORM).to_string())
            .collect::<Vec<_>>()
            .join("+")
    }

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
    fn hex_forms_are_removed() {
        let hex: Vec<String> = SECRET.bytes().map(|b| format!("{b:02x}")).collect();
        for f in [hex.concat(), hex.concat().to_uppercase(), hex.join(" ")] {
            let out = redactor().redact_str(&format!("od: {f}\n"));
            assert_eq!(out, format!("od: {REDACTED}\n"), "form {f:?}");
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

    /// Go's `json.Marshal`: `<`, `>`, `&` as `\u003c`…, non-ASCII as `\u00e4`, `/` as `\/`.
    fn go_json(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '<' | '>' | '&' => out.push_str(&format!("\\u{:04x}", c as u32)),
                '/' => out.push_str("\\/"),
                '"' => out.push_str("\\\""),
                c if !c.is_ascii() => {
                    let mut buf = [0u16; 2];
                    for unit in c.encode_utf16(&mut buf) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    /// `%7E` → `%7e`, leaving the other characters alone.
    fn lower_hex(s: &str) -> String {
        let mut parts = s.split('%');
        let mut out = parts.next().unwrap_or_default().to_owned();
        for p in parts {
            out.push('%');
            out.push_str(&p[..2].to_lowercase());
            out.push_str(&p[2..]);
        }
        out
    }

    #[test]
    fn every_percent_and_json_escape_variant_is_removed() {
        const HOSTILE: &str = "K~!e/y<&>ä€😀*'()";
        let mut r = Redactor::new();
        r.add_secret(HOSTILE);
        let forms = [
            ("rfc3986", utf8_percent_encode(HOSTILE, RFC3986).to_string()),
            (
                "all",
                utf8_percent_encode(HOSTILE, NON_ALPHANUMERIC).to_string(),
            ),
            (
                "lowercase hex",
                lower_hex(&utf8_percent_encode(HOSTILE, NON_ALPHANUMERIC).to_string()),
            ),
            (
                "component",
                utf8_percent_encode(HOSTILE, COMPONENT).to_string(),
            ),
            ("form", form_encode(HOSTILE)),
            ("go json", go_json(HOSTILE)),
            (
                "serde json",
                serde_json::to_string(HOSTILE)
                    .unwrap()
                    .trim_matches('"')
                    .to_owned(),
            ),
        ];
        for (name, f) in forms {
            let out = r.redact_str(&format!("x={f}&y=1"));
            assert_eq!(out, format!("x={REDACTED}&y=1"), "{name}: {f}");
        }
    }

    #[test]
    fn a_secret_in_a_url_query_is_removed_percent_encoded() {
        let mut r = Redactor::new();
        r.add_secret("p@ss wörd/1");
        let url = url_with_query("p@ss wörd/1");
        let out = r.redact_str(&format!("GET {url}"));
        assert!(!out.contains("p@ss"), "{out}");
        assert!(out.contains(REDACTED), "{out}");
    }

    /// What a URL parser does to `${SECRET}` written in a query: it escapes only the
    /// query set (space, quotes, `<>#`, non-ASCII), so `@` and `/` stay raw.
    fn url_with_query(v: &str) -> String {
        const QUERY: &AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'#')
            .add(b'<')
            .add(b'>');
        format!("http://h/a?token={}", utf8_percent_encode(v, QUERY))
    }

    #[test]
    fn a_secret_cut_by_a_marker_or_at_a_truncated_end_loses_its_prefix() {
        let r = redactor();
        // The 200-character value shortening and the evidence cap both end with `…`.
        let shortened = format!("{}{}… (230 chars)", "x".repeat(185), &SECRET[..15]);
        let out = r.redact_str(&shortened);
        assert!(!out.contains(&SECRET[..4]), "{out}");
        assert!(out.ends_with(&format!("{REDACTED}… (230 chars)")), "{out}");
        let capped = format!("{{\"k\":\"{}\n… (12 more bytes not shown)", &SECRET[..12]);
        assert!(!r.redact_str(&capped).contains(&SECRET[..4]));
        // A JSON-escaped secret cut inside its escape sequence.
        let escaped = format!("\"{}…", &serde_json::to_string(SECRET).unwrap()[1..17]);
        assert!(!r.redact_str(&escaped).contains("pa ss"), "{escaped}");
        // Evidence cut at its end without a marker (a byte cap).
        let mut ev =
            serde_json::json!({ "text": format!("row: {}", &SECRET[..9]), "truncated": true });
        r.redact_json(&mut ev);
        assert_eq!(ev["text"], format!("row: {REDACTED}"));
        let mut whole = serde_json::json!({ "text": "row: s3c", "truncated": false });
        r.redact_json(&mut whole);
        assert_eq!(whole["text"], "row: s3c");
    }

    #[test]
    fn cookie_values_and_basic_credentials_are_secrets() {
        let mut r = Redactor::new();
        r.add_credential("theme=dark-mode; session=c00kie-value-1234");
        r.add_credential(&format!("Basic {}", STANDARD.encode("deploy:b4sic-pw-999")));
        r.add_set_cookie("sid=set-by-server-77; Path=/; HttpOnly");
        let out = r.redact_str("echo c00kie-value-1234 dark-mode b4sic-pw-999 set-by-server-77");
        assert_eq!(
            out,
            format!("echo {REDACTED} {REDACTED} {REDACTED} {REDACTED}")
        );
    }

    #[test]
    fn a_captured_object_registers_each_string_leaf() {
        let mut r = Redactor::new();
        r.add_secret_value(&serde_json::json!({
            "access": "leaf-token-1", "nested": { "refresh": ["leaf-token-2"] }, "ttl": 3600
        }));
        let out = r.redact_str("a leaf-token-1 b leaf-token-2");
        assert_eq!(out, format!("a {REDACTED} b {REDACTED}"));
    }

    #[test]
    fn many_cut_markers_stay_cheap_and_the_longest_prefix_wins() {
        let mut r = Redactor::new();
        r.add_secret("abcabd-secret");
        // A prefix that restarts inside itself ("abcab" then "abd…").
        assert_eq!(
            r.redact_str("x abcabcabd-sec…"),
            format!("x abc{REDACTED}…")
        );
        let hostile = "ab…".repeat(20_000);
        let start = std::time::Instant::now();
        assert_eq!(r.redact_str(&hostile), hostile);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let shown = format!("{:?}", redactor());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.starts_with("Redactor { needles: "), "{shown}");
    }

    #[test]
    fn masking_keeps_byte_offsets() {
        let mut r = Redactor::new();
        r.add_secret("wörd-secret");
        let src = "a: postgres://app:hunter22@db/x\nb: wörd-secret\n";
        let masked = r.mask_same_length(src);
        assert_eq!(masked.len(), src.len());
        assert_eq!(masked, "a: postgres://app:********@db/x\nb: ************\n");
    }

    #[test]
    fn display_copies_lose_terminal_controls() {
        let mut c = crate::CheckResult::new("x", "http");
        c.reason = Some("got \u{1b}]0;pwned\u{7}\u{1b}[2Jok".into());
        let shown = Redactor::new().redact_for_display(&c);
        assert_eq!(shown.reason.as_deref(), Some("got ok"));
    }

    #[test]
    fn attachment_bytes_survive_redaction_and_its_text_does_not_keep_secrets() {
        let mut r = Redactor::new();
        r.add_secret("iVBO");
        let mut c = crate::CheckResult::new("shot", "browser");
        let mut a = crate::Attachment::new("screenshot iVBO", "image/png", b"\x89PNG\r\n\x1a\n");
        a.path = "attachments/shot-1.png".into();
        c.attachments.push(a.clone());
        let out = r.redact(&c);
        assert_eq!(out.attachments[0].data_base64, a.data_base64);
        assert_eq!(out.attachments[0].data().unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(!out.attachments[0].label.contains("iVBO"));
    }
}
