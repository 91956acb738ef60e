//! Markdown: the report teams write by hand (FIELD.md, system 1) — header, executive
//! summary, environment (declared, not verified), results, details with evidence, issues,
//! performance against targets, verdict. Every number comes from the report; none is estimated.

use std::fmt::Write as _;
use std::io::Write;

use shipcheck_report::{CheckResult, Finding, MeasureUnit, Report, Severity, Status};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::md_escape::{cell, code, fenced, text};
use crate::text::{
    NOTE_MAX_CHARS, expectation, fmt_check_duration, fmt_measurement, fmt_ms, notes, one_line,
    status_mark,
};

/// Verdict reasons repeated in the executive summary before pointing to the Verdict section.
const SUMMARY_REASONS: usize = 5;

/// Renders the Markdown report (`report.md`).
pub(crate) struct MarkdownRenderer;

impl Render for MarkdownRenderer {
    fn render(
        &self,
        report: &Report,
        _cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let s = crate::sanitize::render_visible(report, false, |report, _| {
            let mut s = String::new();
            header(&mut s, report);
            executive_summary(&mut s, report);
            environment(&mut s, report);
            results(&mut s, report);
            details(&mut s, report);
            issues(&mut s, report);
            performance(&mut s, report);
            verdict(&mut s, report);
            s
        });
        out.write_all(s.as_bytes())
            .map_err(RenderError::write("markdown"))
    }
}

/// Appends one table row from already-escaped cells.
fn row(s: &mut String, cells: &[&str]) {
    let _ = writeln!(s, "| {} |", cells.join(" | "));
}

/// Appends a table header and its delimiter row.
fn table_head(s: &mut String, names: &[&str]) {
    row(s, names);
    let _ = writeln!(s, "|{}", "---|".repeat(names.len()));
}

fn header(s: &mut String, report: &Report) {
    let run = &report.run;
    let subject = run
        .plan
        .as_ref()
        .map_or(run.command.as_str(), |p| p.name.as_str());
    let _ = writeln!(s, "# shipcheck report: {}\n", text(subject));
    table_head(s, &["Field", "Value"]);
    row(s, &["Date", &cell(&run.started_at)]);
    if !run.subject.is_empty() {
        row(
            s,
            &[
                "Verifying",
                &format!(
                    "{} (as declared by the plan)",
                    cell(&run.subject.describe())
                ),
            ],
        );
    }
    if let Some(plan) = &run.plan {
        row(
            s,
            &[
                "Plan",
                &format!("{} ({})", cell(&plan.name), code(&plan.path, true)),
            ],
        );
    }
    row(
        s,
        &[
            "Tool",
            &format!(
                "{} {}, command {}",
                cell(&run.tool),
                cell(&run.version),
                code(&run.command, true)
            ),
        ],
    );
    row(s, &["Run from (host)", &cell(&run.host)]);
    row(s, &["Duration", &fmt_ms(run.duration_ms)]);
    if run.interrupted {
        let why = run
            .interrupt_reason
            .as_deref()
            .unwrap_or("no reason recorded");
        row(s, &["Interrupted", &format!("yes: {}", cell(why))]);
    }
    s.push('\n');
}

fn executive_summary(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Executive summary\n");
    let _ = writeln!(
        s,
        "**Verdict: {}.** {}.\n",
        report.verdict.status.label(),
        text(&report.coverage.text)
    );
    let sum = &report.summary;
    table_head(
        s,
        &["Checks", "Passed", "Failed", "Error", "Skipped", "Not run"],
    );
    let counts: Vec<String> = [
        Status::Passed,
        Status::Failed,
        Status::Error,
        Status::Skipped,
        Status::NotRun,
    ]
    .iter()
    .map(|st| sum.count(*st).to_string())
    .collect();
    let total = sum.total.to_string();
    let mut cells = vec![total.as_str()];
    cells.extend(counts.iter().map(String::as_str));
    row(s, &cells);
    s.push('\n');
    if !report.findings.is_empty() {
        let _ = writeln!(s, "Lint: {}.\n", finding_counts(&report.findings));
    }
    let flaky = &report.summary.flaky;
    if !flaky.is_empty() {
        let _ = writeln!(
            s,
            "Flaky: {} check(s) passed only after retries (counted as passed):\n",
            flaky.len()
        );
        for f in flaky {
            let _ = writeln!(s, "- {}", text(&f.describe()));
        }
        s.push('\n');
    }
    let reasons = &report.verdict.reasons;
    if !reasons.is_empty() {
        let _ = writeln!(s, "What kept the verdict from *ready*:\n");
        for r in reasons.iter().take(SUMMARY_REASONS) {
            let _ = writeln!(s, "- {}", text(r));
        }
        if reasons.len() > SUMMARY_REASONS {
            let _ = writeln!(
                s,
                "- … and {} more (see Verdict)",
                reasons.len() - SUMMARY_REASONS
            );
        }
        s.push('\n');
    }
}

fn finding_counts(findings: &[Finding]) -> String {
    let count = |sev: Severity| findings.iter().filter(|f| f.severity == sev).count();
    format!(
        "{} findings ({} error, {} warning, {} info)",
        findings.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

fn environment(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Environment\n");
    let env = &report.run.environment;
    if env.is_empty() {
        let _ = writeln!(s, "The plan declares no environment facts.\n");
        return;
    }
    let _ = writeln!(
        s,
        "These facts are *declared by the plan, not verified* by shipcheck.\n"
    );
    table_head(s, &["Fact", "Declared value"]);
    for (k, v) in env {
        row(s, &[&cell(k), &cell(v)]);
    }
    s.push('\n');
}

fn results(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Results\n");
    if report.checks.is_empty() {
        let _ = writeln!(s, "No checks were planned.\n");
        return;
    }
    table_head(s, &["#", "Check", "Kind", "Status", "Duration", "Notes"]);
    for (i, c) in report.checks.iter().enumerate() {
        row(
            s,
            &[
                &(i + 1).to_string(),
                &code(&c.id, true),
                &cell(&c.kind),
                &status_cell(c.status),
                &fmt_check_duration(c),
                &cell(&one_line(&notes(c), NOTE_MAX_CHARS)),
            ],
        );
    }
    s.push('\n');
}

fn status_cell(status: Status) -> String {
    format!("{} {}", status_mark(status), status.as_str())
}

fn details(s: &mut String, report: &Report) {
    if report.checks.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Details\n");
    for (i, c) in report.checks.iter().enumerate() {
        check_details(s, i + 1, c);
    }
}

fn check_details(s: &mut String, n: usize, c: &CheckResult) {
    let _ = write!(s, "### {n}. {}", code(&c.id, false));
    if c.title != c.id {
        let _ = write!(s, " — {}", text(&c.title));
    }
    s.push_str("\n\n");
    let _ = writeln!(s, "- **Status:** {}", status_cell(c.status));
    let _ = write!(
        s,
        "- **Kind:** {} · **Critical:** {} · **Duration:** {}",
        text(&c.kind),
        if c.critical { "yes" } else { "no" },
        fmt_check_duration(c),
    );
    if !matches!(c.status, Status::Skipped | Status::NotRun) {
        let _ = write!(
            s,
            " · **Started:** +{} after the run began",
            fmt_ms(c.started_ms)
        );
    }
    s.push('\n');
    if let Some(reason) = &c.reason {
        let _ = writeln!(s, "- **Reason:** {}", text(reason));
    }
    if let Some(e) = &c.error {
        let _ = writeln!(
            s,
            "- **Failure class:** {}: {}",
            e.class.as_str(),
            text(&e.message)
        );
    }
    s.push('\n');

    if !c.assertions.is_empty() {
        let _ = writeln!(s, "**Assertions**\n");
        table_head(s, &["Subject", "Predicate", "Expected", "Actual", "Result"]);
        for a in &c.assertions {
            row(
                s,
                &[
                    &code(&a.subject, true),
                    &cell(&a.predicate),
                    &code(&a.expected, true),
                    &code(&a.actual, true),
                    if a.passed { "✓" } else { "✗" },
                ],
            );
        }
        s.push('\n');
    }
    if c.attempts.len() > 1 {
        let _ = writeln!(s, "**Attempts**\n");
        table_head(s, &["#", "Status", "Duration", "Note"]);
        for a in &c.attempts {
            row(
                s,
                &[
                    &a.number.to_string(),
                    &status_cell(a.status),
                    &fmt_ms(a.duration_ms),
                    &cell(a.note.as_deref().unwrap_or("")),
                ],
            );
        }
        s.push('\n');
    }
    if !c.measurements.is_empty() {
        let _ = writeln!(s, "**Measurements**\n");
        table_head(s, &["Metric", "Value", "Target", "Met"]);
        for m in &c.measurements {
            row(
                s,
                &[
                    &cell(&m.name),
                    &fmt_measurement(m),
                    &m.target.as_deref().map_or_else(|| "–".to_owned(), cell),
                    met_cell(m.met),
                ],
            );
        }
        s.push('\n');
    }
    if !c.series.is_empty() {
        // A summary per series; the points themselves stay in report.json (for charts).
        let _ = writeln!(s, "**Series** (points in report.json)\n");
        table_head(s, &["Series", "Unit", "Points", "From", "To", "Min", "Max"]);
        for se in &c.series {
            let (lo, hi) = se
                .points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                    (lo.min(p.value), hi.max(p.value))
                });
            let (from, to, lo, hi) = match (se.points.first(), se.points.last()) {
                (Some(f), Some(l)) => {
                    let v = |x: f64| match se.unit {
                        shipcheck_report::MeasureUnit::Ms => fmt_ms(x),
                        _ => format!("{}", (x * 1000.0).round() / 1000.0),
                    };
                    (fmt_ms(f.t_ms), fmt_ms(l.t_ms), v(lo), v(hi))
                }
                _ => ("–".into(), "–".into(), "–".into(), "–".into()),
            };
            row(
                s,
                &[
                    &cell(&se.name),
                    se.unit.as_str(),
                    &se.points.len().to_string(),
                    &from,
                    &to,
                    &lo,
                    &hi,
                ],
            );
        }
        s.push('\n');
    }
    if !c.captures.is_empty() {
        let _ = writeln!(s, "**Captures**\n");
        table_head(s, &["Name", "Value", "Secret"]);
        for cap in &c.captures {
            row(
                s,
                &[
                    &code(&cap.name, true),
                    &code(&cap.value, true),
                    if cap.secret { "yes" } else { "no" },
                ],
            );
        }
        s.push('\n');
    }
    if !c.evidence.is_empty() {
        let _ = writeln!(s, "**Evidence**\n");
        for ev in &c.evidence {
            let cut = if ev.truncated {
                " (truncated at the evidence cap)"
            } else {
                ""
            };
            let _ = writeln!(s, "*{}*{cut}\n", text(&ev.label));
            let _ = writeln!(s, "{}", fenced(&ev.text, "text"));
        }
    }
}

fn met_cell(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "✓ met",
        Some(false) => "✗ missed",
        None => "–",
    }
}

fn issues(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Issues\n");
    let problem_checks: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Failed | Status::Error | Status::NotRun))
        .collect();
    if problem_checks.is_empty() && report.findings.is_empty() {
        let _ = writeln!(
            s,
            "No issues: no check failed, errored or was left unrun, and lint found nothing.\n"
        );
        return;
    }
    for (i, c) in problem_checks.iter().enumerate() {
        issue(s, i + 1, c);
    }
    if !report.findings.is_empty() {
        let _ = writeln!(s, "### Lint findings\n");
        let _ = writeln!(s, "{}.\n", finding_counts(&report.findings));
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            let group: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.severity == sev)
                .collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(s, "#### {} ({})\n", severity_heading(sev), group.len());
            table_head(s, &["Location", "Rule", "Message", "Help"]);
            for f in group {
                let location = format!("{}:{}:{}", f.path, f.line, f.column);
                row(
                    s,
                    &[
                        &code(&location, true),
                        &code(&f.rule, true),
                        &cell(&f.message),
                        &cell(f.help.as_deref().unwrap_or("")),
                    ],
                );
            }
            s.push('\n');
        }
    }
}

fn severity_heading(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "Errors",
        Severity::Warning => "Warnings",
        Severity::Info => "Info",
    }
}

fn issue(s: &mut String, n: usize, c: &CheckResult) {
    let what = match c.status {
        Status::Failed => "failed",
        Status::Error => "could not run",
        _ => "did not run",
    };
    let _ = writeln!(s, "### Issue {n}: {} {what}\n", code(&c.id, false));
    let _ = writeln!(
        s,
        "- **Severity:** {}",
        if c.critical {
            "critical"
        } else {
            "non-critical"
        }
    );
    let class = match (&c.error, c.status) {
        (Some(e), _) => e.class.as_str(),
        (None, Status::Failed) => "assertion",
        (None, Status::NotRun) => "not-run",
        (None, _) => "unknown",
    };
    let _ = writeln!(s, "- **Class:** {class}");
    match c.status {
        Status::Failed => {
            let failed: Vec<_> = c.failed_assertions().collect();
            if failed.is_empty() {
                let _ = writeln!(s, "- **Expected:** every expectation of the check to hold");
                let _ = writeln!(
                    s,
                    "- **What happened:** {}",
                    text(c.reason.as_deref().unwrap_or("no reason recorded"))
                );
            } else {
                let _ = writeln!(s, "- **Expected vs what happened:**");
                for a in failed {
                    let _ = writeln!(
                        s,
                        "  - {}: expected {}, got {}",
                        code(&a.subject, false),
                        code(&expectation(a), false),
                        code(&a.actual, false)
                    );
                }
            }
        }
        Status::Error => {
            let _ = writeln!(s, "- **Expected:** the check to run to a result");
            let happened = c
                .error
                .as_ref()
                .map(|e| e.message.as_str())
                .or(c.reason.as_deref())
                .unwrap_or("no reason recorded");
            let attempts = match c.attempts.len() {
                0 | 1 => String::new(),
                k => format!(" (after {k} attempts)"),
            };
            let _ = writeln!(s, "- **What happened:** {}{attempts}", text(happened));
        }
        _ => {
            let _ = writeln!(s, "- **Expected:** the check to run");
            let _ = writeln!(
                s,
                "- **What happened:** {}",
                text(c.reason.as_deref().unwrap_or("no reason recorded"))
            );
        }
    }
    s.push('\n');
}

fn performance(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Performance\n");
    let targeted: Vec<_> = report
        .checks
        .iter()
        .flat_map(|c| c.measurements.iter().map(move |m| (c, m)))
        .filter(|(_, m)| m.target.is_some())
        .collect();
    let timings: Vec<_> = report
        .checks
        .iter()
        .flat_map(|c| c.measurements.iter().map(move |m| (c, m)))
        .filter(|(_, m)| m.target.is_none() && m.unit == MeasureUnit::Ms)
        .collect();
    if targeted.is_empty() && timings.is_empty() {
        let _ = writeln!(s, "No measurements were recorded.\n");
        return;
    }
    if targeted.is_empty() {
        let _ = writeln!(s, "No measurement had a target.\n");
    } else {
        table_head(s, &["Check", "Metric", "Value", "Target", "Status"]);
        for (c, m) in targeted {
            row(
                s,
                &[
                    &code(&c.id, true),
                    &cell(&m.name),
                    &fmt_measurement(m),
                    &cell(m.target.as_deref().unwrap_or("")),
                    met_cell(m.met),
                ],
            );
        }
        s.push('\n');
    }
    if !timings.is_empty() {
        let _ = writeln!(s, "Timings without a target (informational):\n");
        table_head(s, &["Check", "Metric", "Value"]);
        for (c, m) in timings {
            row(
                s,
                &[&code(&c.id, true), &cell(&m.name), &fmt_measurement(m)],
            );
        }
        s.push('\n');
    }
}

fn verdict(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Verdict\n");
    let _ = writeln!(s, "**{}**\n", report.verdict.status.label());
    if !report.verdict.reasons.is_empty() {
        let _ = writeln!(s, "Reasons:\n");
        for r in &report.verdict.reasons {
            let _ = writeln!(s, "- {}", text(r));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "Coverage: {}.\n", text(&report.coverage.text));
    let _ = writeln!(
        s,
        "*Every number in this report was measured by shipcheck during this run; none is \
         estimated. Environment facts are declared by the plan, not verified.*"
    );
}

#[cfg(test)]
mod tests {
    use crate::fixtures;
    use crate::{Format, RenderConfig, render_to_string};

    fn md(report: &shipcheck_report::Report) -> String {
        render_to_string(Format::Markdown, report, &RenderConfig::default()).unwrap()
    }

    #[test]
    fn snapshot_mixed() {
        insta::assert_snapshot!(md(&fixtures::mixed()));
    }

    #[test]
    fn series_are_summarised_not_listed() {
        use shipcheck_report::{MeasureUnit, Point, Series};
        let mut report = fixtures::all_passed();
        let points = (0..5_000)
            .map(|i| Point {
                t_ms: f64::from(i) * 10.0,
                value: f64::from(i % 2),
            })
            .collect();
        report.checks[0].series.push(Series {
            name: "up".into(),
            unit: MeasureUnit::Count,
            points,
        });
        let text = md(&report);
        assert!(
            text.contains("**Series** (points in report.json)"),
            "{text}"
        );
        assert!(
            text.contains("| up | count | 5000 | 0.0 ms | 49.99 s | 0 | 1 |"),
            "{text}"
        );
        assert!(!text.contains("49990"), "points are not listed");
    }

    #[test]
    fn snapshot_all_passed() {
        insta::assert_snapshot!(md(&fixtures::all_passed()));
    }

    #[test]
    fn has_every_section_in_order() {
        let text = md(&fixtures::mixed());
        let mut at = 0;
        for heading in [
            "# shipcheck report: staging smoke",
            "## Executive summary",
            "## Environment",
            "## Results",
            "## Details",
            "## Issues",
            "## Performance",
            "## Verdict",
        ] {
            let pos = text[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("missing {heading}"));
            at += pos + heading.len();
        }
    }

    #[test]
    fn failed_check_shows_expected_and_actual() {
        let text = md(&fixtures::mixed());
        assert!(text.contains("| `status` | equals | `200` | `500` | ✗ |"));
        assert!(text.contains("`status`: expected `200`, got `500`"));
        assert!(text.contains("`duration`: expected `under 200ms`, got `341.7ms`"));
        assert!(text.contains("no response from 127.0.0.1:8081 within 2s (after 3 attempts)"));
    }

    #[test]
    fn environment_is_declared_not_verified() {
        let text = md(&fixtures::mixed());
        assert!(text.contains("*declared by the plan, not verified*"));
        assert!(
            text.contains("| images | api:1.4.2 \\| web:1.4.2 |"),
            "pipes in cells are escaped"
        );
    }

    #[test]
    fn evidence_cannot_break_out_of_its_fence() {
        let text = md(&fixtures::mixed());
        let start = text
            .find("````text\nHTTP/1.1 500")
            .expect("a four-backtick fence");
        let rest = &text[start + 4..];
        let end = rest.find("\n````\n").expect("closed by four backticks");
        assert!(rest[..end].contains("```\n| column | value |\n```"));
    }

    #[test]
    fn performance_shows_targets_and_informational_timings() {
        let text = md(&fixtures::mixed());
        assert!(text.contains("| `ready-latency` | total | 342 ms | \\< 200ms | ✗ missed |"));
        assert!(text.contains("| `liveness` | total | 12 ms | \\< 200ms | ✓ met |"));
        assert!(text.contains("Timings without a target (informational)"));
        assert!(text.contains("| `liveness` | first_byte | 8.1 ms |"));
    }

    #[test]
    fn issues_cover_failed_error_and_not_run_but_not_skipped() {
        let text = md(&fixtures::mixed());
        assert!(text.contains("### Issue 1: `login` failed"));
        assert!(text.contains("### Issue 3: `upstream` could not run"));
        assert!(text.contains("### Issue 4: `vehicles` did not run"));
        assert!(!text.contains("### Issue 5"));
        assert!(text.contains("#### Errors (1)"));
    }

    #[test]
    fn all_passed_has_no_issues() {
        let text = md(&fixtures::all_passed());
        assert!(text.contains("**Verdict: ready.**"));
        assert!(text.contains("No issues"));
        assert!(text.contains("The plan declares no environment facts."));
    }
}
