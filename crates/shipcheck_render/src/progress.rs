//! One line of live progress per finished check, for a TTY.

use shipcheck_report::{CheckResult, Status};

use crate::text::{
    NOTE_MAX_CHARS, fmt_check_duration, notes, one_line, paint, status_mark, status_sgr,
};

/// One line for live progress on a TTY, e.g. `✓ liveness  passed  12 ms` or
/// `✗ login  failed  48 ms  status: expected 200, got 500`. No trailing newline.
pub fn progress_line(check: &CheckResult, color: bool) -> String {
    let sgr = status_sgr(check.status);
    let mut line = format!(
        "{} {}  {}",
        paint(status_mark(check.status), sgr, color),
        one_line(&check.id, 100),
        paint(check.status.as_str(), sgr, color)
    );
    if !matches!(check.status, Status::Skipped | Status::NotRun) {
        line.push_str("  ");
        line.push_str(&fmt_check_duration(check));
    }
    let note = notes(check);
    if !note.is_empty() {
        line.push_str("  ");
        line.push_str(&paint(&one_line(&note, NOTE_MAX_CHARS), "2", color));
    }
    line
}

/// One line for a retry on a TTY: `  ↻ id: attempt N did not pass (note); retrying`. The
/// id and the note (which may quote a server) are flattened and their control characters
/// made visible. No trailing newline.
pub fn retry_line(id: &str, attempt: u32, note: &str) -> String {
    format!(
        "  ↻ {}: attempt {attempt} did not pass ({}); retrying",
        one_line(id, 100),
        one_line(note, NOTE_MAX_CHARS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn by_id(id: &str) -> CheckResult {
        fixtures::mixed()
            .checks
            .into_iter()
            .find(|c| c.id == id)
            .unwrap()
    }

    #[test]
    fn passed() {
        assert_eq!(
            progress_line(&by_id("liveness"), false),
            "✓ liveness  passed  12 ms"
        );
    }

    #[test]
    fn failed_names_expected_and_actual() {
        assert_eq!(
            progress_line(&by_id("login"), false),
            "✗ login  failed  48 ms  status: expected 200, got 500 (+1 more)"
        );
    }

    #[test]
    fn error_names_the_class() {
        assert_eq!(
            progress_line(&by_id("upstream"), false),
            "⚠ upstream  error  6.01 s  timeout: no response from 127.0.0.1:8081 within 2s"
        );
    }

    #[test]
    fn not_run_and_skipped_give_the_reason() {
        assert_eq!(
            progress_line(&by_id("vehicles"), false),
            "· vehicles  not-run  dependency `login` did not pass"
        );
        assert_eq!(
            progress_line(&by_id("ws-stream"), false),
            "⊘ ws-stream  skipped  skip: WebSocket probe not available yet (non-critical)"
        );
    }

    #[test]
    fn color_wraps_mark_and_status_in_ansi() {
        let line = progress_line(&by_id("login"), true);
        assert!(
            line.starts_with("\x1b[31m✗\x1b[0m login  \x1b[31mfailed\x1b[0m"),
            "{line:?}"
        );
        assert!(!progress_line(&by_id("login"), false).contains('\x1b'));
    }

    #[test]
    fn retry_lines_cannot_drive_the_terminal() {
        let line = retry_line("r", 1, "got \x1b]0;pwned\x07\x1b[2J{\"a\":1}\nnext");
        assert_eq!(
            line,
            "  ↻ r: attempt 1 did not pass (got \u{241b}]0;pwned\u{2407}\u{241b}[2J{\"a\":1} next); retrying"
        );
    }
}
