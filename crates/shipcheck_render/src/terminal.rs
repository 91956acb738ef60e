//! Terminal: a results table, then failures with expected vs actual and an evidence
//! excerpt, lint findings, coverage and the verdict. Colour only when asked.

use std::fmt::Write as _;
use std::io::Write;

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};
use shipcheck_report::{CheckResult, Report, Severity, Status};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::text::{
    NOTE_MAX_CHARS, assertion_line, clean, fmt_check_duration, fmt_measurement, fmt_ms, head_lines,
    notes, one_line, paint, status_mark, status_sgr, verdict_sgr,
};

/// Lines of evidence shown under a failed check.
const EVIDENCE_LINES: usize = 10;

/// Renders for a terminal.
pub(crate) struct TerminalRenderer;

impl Render for TerminalRenderer {
    fn render(
        &self,
        report: &Report,
        cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let text =
            crate::sanitize::render_visible(report, cfg.color, |report, color| {
                match &report.lint {
                    Some(lint) if report.checks.is_empty() => {
                        crate::frames::lint_text(report, lint.files_scanned, color)
                    }
                    _ => terminal_text(report, &RenderConfig { color, ..*cfg }),
                }
            });
        out.write_all(text.as_bytes())
            .map_err(RenderError::write("terminal"))
    }
}

fn terminal_text(report: &Report, cfg: &RenderConfig) -> String {
    let mut s = String::new();
    header(&mut s, report, cfg);
    if !report.checks.is_empty() {
        let _ = writeln!(s, "{}\n", results_table(&report.checks, cfg));
    }
    for (i, c) in report.checks.iter().enumerate() {
        let show = matches!(c.status, Status::Failed | Status::Error)
            || (cfg.verbose && c.status == Status::Passed);
        if show {
            check_details(&mut s, i + 1, c, cfg);
        }
    }
    findings(&mut s, report, cfg.color);
    let _ = writeln!(
        s,
        "{} {}",
        paint("Coverage:", "1", cfg.color),
        report.coverage.text
    );
    let flaky = &report.summary.flaky;
    if !flaky.is_empty() {
        let _ = writeln!(
            s,
            "{} {} check(s) passed only after retries",
            paint("Flaky:", "1;33", cfg.color),
            flaky.len()
        );
        for f in flaky {
            let _ = writeln!(s, "  - {}", one_line(&f.describe(), 200));
        }
    }
    let _ = writeln!(
        s,
        "{} {}",
        paint("Verdict:", "1", cfg.color),
        paint(
            &report.verdict.status.label().to_uppercase(),
            verdict_sgr(report.verdict.status),
            cfg.color
        )
    );
    for reason in &report.verdict.reasons {
        let _ = writeln!(s, "  - {}", one_line(reason, 200));
    }
    s
}

fn header(s: &mut String, report: &Report, cfg: &RenderConfig) {
    let run = &report.run;
    let mut title = format!("{} {} · {}", run.tool, run.version, run.command);
    if let Some(plan) = &run.plan {
        let _ = write!(title, " · {} ({})", plan.name, plan.path);
    }
    let _ = writeln!(s, "{}", paint(&one_line(&title, 300), "1", cfg.color));
    if !run.subject.is_empty() {
        let what = format!(
            "verifying {} (as declared by the plan)",
            run.subject.describe()
        );
        let _ = writeln!(s, "{}", one_line(&what, 300));
    }
    let started = format!("started {} from host {}", run.started_at, run.host);
    let _ = writeln!(
        s,
        "{} · took {}",
        one_line(&started, 200),
        fmt_ms(run.duration_ms)
    );
    if run.interrupted {
        let why = run
            .interrupt_reason
            .as_deref()
            .unwrap_or("no reason recorded");
        let _ = writeln!(
            s,
            "{}",
            paint(&format!("interrupted: {why}"), "1;31", cfg.color)
        );
    }
    s.push('\n');
}

fn results_table(checks: &[CheckResult], cfg: &RenderConfig) -> Table {
    let color = cfg.color;
    let mut table = Table::new();
    table.force_no_tty().load_style(if cfg.ascii {
        presets::ASCII_FULL_CONDENSED
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    if let Some(width) = cfg.width {
        table
            .set_width(width)
            .set_content_arrangement(ContentArrangement::Dynamic);
    }
    if color {
        table.enforce_styling();
    }
    table.set_header(["#", "check", "kind", "status", "duration", "notes"]);
    for (i, c) in checks.iter().enumerate() {
        let status = Cell::new(format!(
            "{} {}",
            mark(c.status, cfg.ascii),
            c.status.as_str()
        ));
        let status = if color {
            status.fg(status_color(c.status))
        } else {
            status
        };
        table.add_row(vec![
            Cell::new(i + 1).set_alignment(CellAlignment::Right),
            Cell::new(one_line(&c.id, 40)),
            Cell::new(one_line(&c.kind, 20)),
            status,
            Cell::new(plain(fmt_check_duration(c), cfg.ascii)).set_alignment(CellAlignment::Right),
            Cell::new(plain(one_line(&notes(c), NOTE_MAX_CHARS), cfg.ascii)),
        ]);
    }
    table
}

fn status_color(status: Status) -> Color {
    match status {
        Status::Passed => Color::Green,
        Status::Failed | Status::Error => Color::Red,
        Status::Skipped => Color::Yellow,
        Status::NotRun => Color::DarkGrey,
    }
}

/// `text` with the typographic marks this renderer adds (dashes, ellipses, arrows) in
/// ASCII, when `ascii`; text from the report itself is left as it is.
fn plain(text: String, ascii: bool) -> String {
    if !ascii || text.is_ascii() {
        return text;
    }
    text.replace(['–', '—'], "-")
        .replace('…', "...")
        .replace('→', "->")
        .replace('·', "-")
        .replace('≥', ">=")
        .replace('≤', "<=")
}

/// The status mark: a symbol on a terminal, an ASCII one for logs and pipes.
fn mark(status: Status, ascii: bool) -> &'static str {
    if !ascii {
        return status_mark(status);
    }
    match status {
        Status::Passed => "+",
        Status::Failed => "x",
        Status::Error => "!",
        Status::Skipped => "/",
        Status::NotRun => "-",
    }
}

fn check_details(s: &mut String, n: usize, c: &CheckResult, cfg: &RenderConfig) {
    let sgr = status_sgr(c.status);
    let mut head = format!(
        "{} {n}. {} ({}{}) {}",
        mark(c.status, cfg.ascii),
        one_line(&c.id, 100),
        one_line(&c.kind, 40),
        if c.critical { "" } else { ", non-critical" },
        c.status.as_str()
    );
    if c.attempts.len() > 1 {
        let _ = write!(head, " after {} attempts", c.attempts.len());
    }
    let _ = writeln!(s, "{}", paint(&head, sgr, cfg.color));
    if c.title != c.id {
        let _ = writeln!(s, "  {}", one_line(&c.title, 200));
    }
    let failed: Vec<_> = c.failed_assertions().collect();
    for a in &failed {
        let _ = writeln!(
            s,
            "  {} {}",
            paint("✗", "31", cfg.color),
            one_line(&assertion_line(a), 300)
        );
    }
    if cfg.verbose {
        for a in c.assertions.iter().filter(|a| a.passed) {
            let _ = writeln!(
                s,
                "  {} {}",
                paint("✓", "32", cfg.color),
                one_line(&assertion_line(a), 300)
            );
        }
        for m in &c.measurements {
            let target = m
                .target
                .as_deref()
                .map(|t| format!(" (target {t})"))
                .unwrap_or_default();
            let line = format!("{}: {}{target}", m.name, fmt_measurement(m));
            let _ = writeln!(s, "  {}", one_line(&line, 200));
        }
    }
    match (&c.error, c.status) {
        (Some(e), Status::Error) => {
            let _ = writeln!(
                s,
                "  {}: {}",
                paint(e.class.as_str(), "1", cfg.color),
                one_line(&e.message, 300)
            );
        }
        (_, Status::Failed) if failed.is_empty() => {
            if let Some(r) = &c.reason {
                let _ = writeln!(s, "  {}", one_line(r, 300));
            }
        }
        _ => {}
    }
    if c.status != Status::Passed
        && let Some(ev) = c.evidence.last()
    {
        let (lines, more) = head_lines(&ev.text, EVIDENCE_LINES);
        let truncated = if ev.truncated {
            ", truncated at capture"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  {}",
            paint(
                &format!("evidence: {}{truncated}", ev.label),
                "2",
                cfg.color
            )
        );
        let (gutter, ellipsis) = if cfg.ascii {
            ("|", "...")
        } else {
            ("│", "…")
        };
        for line in lines {
            let _ = writeln!(s, "{}", clean(&format!("  {gutter} {line}")).trim_end());
        }
        if more > 0 {
            let _ = writeln!(s, "  {gutter} {ellipsis} {more} more lines");
        }
    }
    s.push('\n');
}

fn findings(s: &mut String, report: &Report, color: bool) {
    if report.findings.is_empty() {
        return;
    }
    let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    let _ = writeln!(
        s,
        "{} ({} error, {} warning, {} info)",
        paint("Lint findings", "1", color),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    for f in &report.findings {
        let sgr = match f.severity {
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "2",
        };
        let _ = writeln!(
            s,
            "  {}:{}:{} {} {} {}",
            one_line(&f.path, 200),
            f.line,
            f.column,
            paint(f.severity.as_str(), sgr, color),
            one_line(&f.rule, 100),
            one_line(&f.message, 200)
        );
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use crate::fixtures;
    use crate::{Format, RenderConfig, render_to_string};

    fn plain(report: &shipcheck_report::Report) -> String {
        render_to_string(Format::Terminal, report, &RenderConfig::default()).unwrap()
    }

    #[test]
    fn snapshot_mixed() {
        insta::assert_snapshot!(plain(&fixtures::mixed()));
    }

    #[test]
    fn snapshot_all_passed() {
        insta::assert_snapshot!(plain(&fixtures::all_passed()));
    }

    #[test]
    fn snapshot_mixed_verbose() {
        let cfg = RenderConfig {
            color: false,
            verbose: true,
            ..RenderConfig::default()
        };
        insta::assert_snapshot!(
            render_to_string(Format::Terminal, &fixtures::mixed(), &cfg).unwrap()
        );
    }

    #[test]
    fn failures_show_expected_actual_and_evidence() {
        let text = plain(&fixtures::mixed());
        assert!(text.contains("status: expected 200, got 500"));
        assert!(text.contains("timeout: no response from 127.0.0.1:8081 within 2s"));
        assert!(text.contains("│ HTTP/1.1 500 Internal Server Error"));
        assert!(text.contains("more lines"), "long evidence is cut");
        assert!(text.contains("deploy/api.yaml:12:9 error k8s/privileged-container"));
        assert!(text.contains("Verdict: NOT READY"));
        assert!(!text.contains('\x1b'), "no colour unless asked");
    }

    #[test]
    fn server_text_cannot_inject_terminal_escapes() {
        let mut report = fixtures::mixed();
        report.checks[1].evidence[1].text = "HTTP/1.1 500\n\x1b]0;pwned\x07\x1b[2J".into();
        report.checks[1].assertions[0].actual = "5\x1b[31m00".into();
        let text = plain(&report);
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains("\u{241b}]0;pwned\u{2407}"));
    }

    #[test]
    fn a_lint_run_shows_code_frames_and_a_summary_line() {
        let text = plain(&fixtures::lint_run());
        assert!(
            text.contains("error[k8s/privileged-container]: container `api` runs privileged"),
            "{text}"
        );
        assert!(text.contains("--> deploy/api.yaml:12:9"), "{text}");
        assert!(
            text.contains("privileged: true"),
            "the frame shows the snippet: {text}"
        );
        assert!(
            text.ends_with("3 findings (1 error, 1 warning, 1 info) in 3 files\n"),
            "{text}"
        );
    }

    #[test]
    fn color_only_when_asked() {
        let cfg = RenderConfig {
            color: true,
            verbose: false,
            ..RenderConfig::default()
        };
        let text = render_to_string(Format::Terminal, &fixtures::mixed(), &cfg).unwrap();
        assert!(text.contains("\x1b["));
    }

    #[test]
    fn passed_details_only_when_verbose() {
        let quiet = plain(&fixtures::all_passed());
        assert!(!quiet.contains("json $.checks.database"));
        let cfg = RenderConfig {
            color: false,
            verbose: true,
            ..RenderConfig::default()
        };
        let loud = render_to_string(Format::Terminal, &fixtures::all_passed(), &cfg).unwrap();
        assert!(loud.contains("✓ json $.checks.database: expected \"ok\", got \"ok\""));
        assert!(quiet.contains("Verdict: READY"));
    }
}
