//! Markdown: the report teams write by hand (FIELD.md, system 1), concise by default —
//! header, executive summary (what failed, one line each), environment (declared, not
//! verified), results, details of the checks that did not pass (all with `--details all`,
//! none with `--details none`), issues with hints, performance against targets (untargeted
//! timings summarised per kind), verdict. Every number comes from the report; none is
//! estimated.

mod checks;
mod perf;

pub(crate) use perf::{targeted, timing_groups};

use std::fmt::Write as _;
use std::io::Write;

use shipcheck_report::{Finding, Report, Severity, Status};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::md_escape::{cell, code, text};
use crate::text::{
    NOTE_MAX_CHARS, assertion_line, fmt_check_duration, fmt_ms, notes, one_line, status_mark,
};

/// Renders the Markdown report (`report.md`).
pub(crate) struct MarkdownRenderer;

impl Render for MarkdownRenderer {
    fn render(
        &self,
        report: &Report,
        cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let level = cfg.details;
        let s = crate::sanitize::render_visible(report, false, |report, _| {
            let mut s = String::new();
            header(&mut s, report);
            executive_summary(&mut s, report);
            environment(&mut s, report);
            results(&mut s, report);
            checks::details(&mut s, report, level);
            crate::attachments::markdown(&mut s, report);
            checks::issues(&mut s, report);
            perf::performance(&mut s, report);
            verdict(&mut s, report);
            s
        });
        out.write_all(s.as_bytes())
            .map_err(RenderError::write("markdown"))
    }
}

/// Appends one table row from already-escaped cells.
pub(super) fn row(s: &mut String, cells: &[&str]) {
    let _ = writeln!(s, "| {} |", cells.join(" | "));
}

/// Appends a table header and its delimiter row.
pub(super) fn table_head(s: &mut String, names: &[&str]) {
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
    what_failed(s, report);
    let not_run = report.summary.count(Status::NotRun);
    if not_run > 0 {
        let _ = writeln!(
            s,
            "{not_run} check(s) did not run because a check they need did not pass (see Issues).\n"
        );
    }
}

/// One line per check that failed or errored: its id, kind and the first assertion that
/// did not hold (or the error), so the reader sees expected vs actual without scrolling.
fn what_failed(s: &mut String, report: &Report) {
    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Failed | Status::Error))
        .collect();
    if failed.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "What failed:
"
    );
    for c in failed {
        let what = match (c.failed_assertions().next(), &c.error) {
            (Some(a), _) => assertion_line(a),
            (None, Some(e)) => format!("{}: {}", e.class.as_str(), e.message),
            (None, None) => c.reason.clone().unwrap_or_default(),
        };
        let more = c.failed_assertions().count().saturating_sub(1);
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "- {} ({}{}): {}{more}",
            code(&c.id, false),
            text(&c.kind),
            if c.critical { ", critical" } else { "" },
            text(&one_line(&what, 200)),
        );
    }
    s.push('\n');
}

pub(super) fn finding_counts(findings: &[Finding]) -> String {
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

pub(super) fn status_cell(status: Status) -> String {
    format!("{} {}", status_mark(status), status.as_str())
}

pub(super) fn met_cell(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "✓ met",
        Some(false) => "✗ missed",
        None => "–",
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
mod tests;
