//! Text helpers shared by the renderers: numbers, one-line notes, excerpts, ANSI styles.

use shipcheck_report::{
    AssertionResult, CheckResult, MeasureUnit, Measurement, Status, VerdictStatus,
};

/// Longest a one-line note gets in a table before it is cut with `…`.
pub(crate) const NOTE_MAX_CHARS: usize = 90;

/// Formats milliseconds for people: `1.3 ms`, `342 ms`, `6.01 s`.
pub(crate) fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        return ms.to_string();
    }
    if ms.abs() < 10.0 {
        format!("{ms:.1} ms")
    } else if ms.abs() < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A check's duration, or `–` when it never started.
pub(crate) fn fmt_check_duration(c: &CheckResult) -> String {
    match c.status {
        Status::Skipped | Status::NotRun if c.duration_ms == 0.0 => "–".to_owned(),
        _ => fmt_ms(c.duration_ms),
    }
}

/// A plain number: integers without a fraction, others with at most three decimals.
pub(crate) fn fmt_number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A measurement's value with its unit.
pub(crate) fn fmt_measurement(m: &Measurement) -> String {
    match m.unit {
        MeasureUnit::Ms => fmt_ms(m.value),
        MeasureUnit::Bytes => format!("{} B", fmt_number(m.value)),
        MeasureUnit::Ratio => format!("{}%", fmt_number(m.value * 100.0)),
        MeasureUnit::Days => format!("{} days", fmt_number(m.value)),
        MeasureUnit::Count => fmt_number(m.value),
    }
}

/// What an assertion expected, in words: `200`, `under 200ms`, `exists`.
pub(crate) fn expectation(a: &AssertionResult) -> String {
    let predicate = a.predicate.replace('_', " ");
    match a.predicate.as_str() {
        "" | "equals" => a.expected.clone(),
        "exists" if a.expected == "true" => "exists".to_owned(),
        _ => format!("{predicate} {}", a.expected),
    }
}

/// `subject: expected X, got Y`.
pub(crate) fn assertion_line(a: &AssertionResult) -> String {
    format!(
        "{}: expected {}, got {}",
        a.subject,
        expectation(a),
        a.actual
    )
}

/// One line summarising a check for tables and progress: the first failed assertion,
/// the error, or the reason it did not run.
pub(crate) fn notes(c: &CheckResult) -> String {
    let mut note = match c.status {
        Status::Passed => {
            if c.attempts.len() > 1 {
                format!("passed on attempt {}", c.attempts.len())
            } else {
                String::new()
            }
        }
        Status::Failed => {
            let failed: Vec<&AssertionResult> = c.failed_assertions().collect();
            match failed.first() {
                Some(first) if failed.len() > 1 => {
                    format!("{} (+{} more)", assertion_line(first), failed.len() - 1)
                }
                Some(first) => assertion_line(first),
                None => reason_or_error(c),
            }
        }
        Status::Error => match &c.error {
            Some(e) => format!("{}: {}", e.class.as_str(), e.message),
            None => reason_or_error(c),
        },
        Status::Skipped | Status::NotRun => reason_or_error(c),
    };
    if !c.critical && c.status != Status::Passed {
        if note.is_empty() {
            note.push_str("non-critical");
        } else {
            note.push_str(" (non-critical)");
        }
    }
    note
}

fn reason_or_error(c: &CheckResult) -> String {
    c.reason
        .clone()
        .or_else(|| c.error.as_ref().map(|e| e.message.clone()))
        .unwrap_or_else(|| "no reason given".to_owned())
}

/// A path as CI systems want it (relative to the project): without leading `./`.
pub(crate) fn project_path(p: &str) -> &str {
    let mut p = p;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p
}

/// Makes control characters visible (`␛` for ESC…) so text from a server cannot drive the
/// terminal; newlines and tabs are kept.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Collapses whitespace (newlines included), makes control characters visible and cuts
/// to `max` characters with `…`.
pub(crate) fn one_line(s: &str, max: usize) -> String {
    let flat = clean(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The first `n` lines of `text`, and how many lines were left out.
pub(crate) fn head_lines(text: &str, n: usize) -> (Vec<&str>, usize) {
    let all: Vec<&str> = text.lines().collect();
    let shown = all.len().min(n);
    (all[..shown].to_vec(), all.len() - shown)
}

/// The mark shown in front of a check: ✓ ✗ ⚠ ⊘ ·
pub(crate) fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "✓",
        Status::Failed => "✗",
        Status::Error => "⚠",
        Status::Skipped => "⊘",
        Status::NotRun => "·",
    }
}

/// ANSI SGR parameters for a status.
pub(crate) fn status_sgr(status: Status) -> &'static str {
    match status {
        Status::Passed => "32",
        Status::Failed => "31",
        Status::Error => "1;31",
        Status::Skipped => "33",
        Status::NotRun => "2",
    }
}

/// ANSI SGR parameters for a verdict.
pub(crate) fn verdict_sgr(status: VerdictStatus) -> &'static str {
    match status {
        VerdictStatus::Ready => "1;32",
        VerdictStatus::ReadyWithCaveats => "1;33",
        VerdictStatus::NotReady => "1;31",
    }
}

/// Wraps `s` in an ANSI style when `color` is on.
pub(crate) fn paint(s: &str, sgr: &str, color: bool) -> String {
    if color && !s.is_empty() {
        format!("\x1b[{sgr}m{s}\x1b[0m")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_ms(1.25), "1.2 ms");
        assert_eq!(fmt_ms(12.4), "12 ms");
        assert_eq!(fmt_ms(341.7), "342 ms");
        assert_eq!(fmt_ms(6012.0), "6.01 s");
    }

    #[test]
    fn numbers_drop_needless_fractions() {
        assert_eq!(fmt_number(3.0), "3");
        assert_eq!(fmt_number(0.125), "0.125");
        assert_eq!(fmt_number(2.5), "2.5");
    }

    #[test]
    fn one_line_flattens_and_cuts() {
        assert_eq!(one_line("a\n  b\tc", 10), "a b c");
        assert_eq!(one_line("abcdefghij", 5), "abcd…");
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(
            clean("a\x1b[31mb\tc\nd\u{7f}"),
            "a\u{241b}[31mb\tc\nd\u{2421}"
        );
        assert_eq!(one_line("x\x07y", 10), "x\u{2407}y");
    }

    #[test]
    fn expectation_words() {
        let mut a = AssertionResult {
            subject: "duration".into(),
            predicate: "under".into(),
            expected: "200ms".into(),
            actual: "341ms".into(),
            passed: false,
        };
        assert_eq!(
            assertion_line(&a),
            "duration: expected under 200ms, got 341ms"
        );
        a.predicate = "at_least".into();
        assert_eq!(expectation(&a), "at least 200ms");
        a.predicate = "equals".into();
        assert_eq!(expectation(&a), "200ms");
    }

    #[test]
    fn paint_only_with_color() {
        assert_eq!(paint("ok", "32", false), "ok");
        assert_eq!(paint("ok", "32", true), "\x1b[32mok\x1b[0m");
    }
}
