//! Masking secrets for output: the first few characters and the length.

use aho_corasick::{AhoCorasick, MatchKind};
use shipcheck_report::Finding;

/// Masks `secret` as `abcd…(24 chars)`; short secrets show fewer characters.
pub(crate) fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    let show = if n >= 16 { 4 } else { n / 4 };
    let head: String = secret.chars().take(show).collect();
    format!("{head}…({n} chars)")
}

/// Replaces every occurrence of `secret` in `text` by its mask.
pub(crate) fn mask_in(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, &mask(secret))
}

/// The shortest piece of a multi-line secret masked on its own (shorter pieces would mask
/// ordinary words in frames).
const MIN_PIECE_CHARS: usize = 4;

/// The strings to mask for a `secret` found in `source` (the text its finding points at):
/// the secret, and when it does not appear there verbatim (a folded YAML value joined
/// from several lines), each of its whitespace-separated pieces.
pub(crate) fn secret_needles(secret: &str, source: &str) -> Vec<String> {
    let mut out = vec![secret.to_owned()];
    if !source.contains(secret) {
        out.extend(
            secret
                .split_whitespace()
                .filter(|p| p.len() != secret.len() && p.chars().count() >= MIN_PIECE_CHARS)
                .map(str::to_owned),
        );
    }
    out
}

/// Masks every secret any rule detected (see [`secret_needles`]) in every finding's
/// message, help and snippet, so a secret shows raw neither in the finding that found it
/// nor in any other finding's frame.
pub(crate) fn mask_findings(findings: &mut [Finding], needles: &[String]) {
    let mut needles: Vec<&str> = needles
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    needles.sort_unstable();
    needles.dedup();
    if needles.is_empty() {
        return;
    }
    // One automaton over all secrets: each text is scanned once, however many secrets a
    // run found (leftmost-longest, so a secret containing another is masked whole).
    let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&needles)
    else {
        // Too large to build: fall back to one pass per secret, longest first.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for f in findings.iter_mut() {
            for n in &needles {
                mask_fields(f, |t| mask_in(t, n));
            }
        }
        return;
    };
    let masks: Vec<String> = needles.iter().map(|n| mask(n)).collect();
    for f in findings {
        mask_fields(f, |t| {
            let mut out = String::with_capacity(t.len());
            ac.replace_all_with(t, &mut out, |m, _, dst| {
                dst.push_str(&masks[m.pattern().as_usize()]);
                true
            });
            out
        });
    }
}

/// Applies `f` to a finding's message, help and snippet.
fn mask_fields(finding: &mut Finding, f: impl Fn(&str) -> String) {
    finding.message = f(&finding.message);
    if let Some(h) = &mut finding.help {
        *h = f(h);
    }
    if let Some(s) = &mut finding.snippet {
        *s = f(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask("sk_live_0123456789abcdef"), "sk_l…(24 chars)");
        assert_eq!(mask("hunter22"), "hu…(8 chars)");
        assert_eq!(
            mask_in("PASSWORD=hunter22", "hunter22"),
            "PASSWORD=hu…(8 chars)"
        );
    }

    #[test]
    fn masks_secrets_of_other_findings_and_folded_pieces() {
        let finding = |snippet: &str| Finding {
            rule: "x/y".into(),
            severity: shipcheck_report::Severity::Warning,
            message: "m".into(),
            path: "p".into(),
            line: 1,
            column: 1,
            end_line: None,
            end_column: None,
            snippet: Some(snippet.into()),
            help: None,
            check_id: None,
        };
        let mut fs = vec![
            finding("RUN curl https://u:fakepw123@h/x | tar xz"),
            finding("  T: >-\n    fakefold\n    secondpart"),
        ];
        let mut needles = secret_needles("fakepw123", "https://u:fakepw123@h/x");
        needles.extend(secret_needles(
            "fakefold secondpart",
            "T: >-\n    fakefold\n    secondpart",
        ));
        assert_eq!(needles.len(), 4);
        // Found verbatim: no pieces (a spaced secret does not mask its words everywhere).
        assert_eq!(
            secret_needles("a long passphrase", "P: a long passphrase").len(),
            1
        );
        mask_findings(&mut fs, &needles);
        let joined: String = fs.iter().filter_map(|f| f.snippet.clone()).collect();
        for raw in ["fakepw123", "fakefold", "secondpart"] {
            assert!(!joined.contains(raw), "{raw} raw in {joined}");
        }
    }
}
