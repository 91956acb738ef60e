//! The per-check sections of the Markdown report: details (failed checks by default,
//! every check with `--details all`) and issues (one entry per problem, with a hint).

use std::fmt::Write as _;

use shipcheck_report::{CheckResult, Evidence, Finding, MeasureUnit, Report, Severity, Status};

use super::{finding_counts, row, status_cell, table_head};
use crate::format::DetailLevel;
use crate::md_escape::{cell, code, fenced, text};
use crate::text::{expectation, fmt_check_duration, fmt_measurement, fmt_ms};

/// Lines of one evidence item shown in a failed check's details (the rest is in
/// `report.json`, or shown with `--details all`).
const EXCERPT_LINES: usize = 24;
/// Characters of one evidence item shown in an excerpt.
const EXCERPT_CHARS: usize = 2_400;

/// True for a check whose details the reader needs: it did not pass.
pub(super) fn is_problem(c: &CheckResult) -> bool {
    matches!(c.status, Status::Failed | Status::Error | Status::NotRun)
}

/// `## Details`: the checks that did not pass with their expected vs actual and evidence
/// excerpts; with [`DetailLevel::All`] the passed ones too, collapsed.
pub(super) fn details(s: &mut String, report: &Report, level: DetailLevel) {
    if report.checks.is_empty() || level == DetailLevel::None {
        return;
    }
    let _ = writeln!(s, "## Details\n");
    let problems = report.checks.iter().filter(|c| is_problem(c)).count();
    if problems == 0 && level == DetailLevel::Failed {
        let _ = writeln!(
            s,
            "Every check that ran passed; their assertions, measurements and evidence are in \
             `report.json` (or render with `--details all`).\n"
        );
        return;
    }
    for (i, c) in report.checks.iter().enumerate() {
        if is_problem(c) {
            check_details(s, i + 1, c, true);
        } else if level == DetailLevel::All {
            let _ = writeln!(
                s,
                "<details><summary>{}. {} — {}</summary>\n",
                i + 1,
                code(&c.id, false),
                status_cell(c.status)
            );
            check_details(s, i + 1, c, false);
            let _ = writeln!(s, "</details>\n");
        }
    }
    let passed = report.checks.len() - problems;
    if level == DetailLevel::Failed && passed > 0 {
        let _ = writeln!(
            s,
            "*Details of the {passed} other checks are in `report.json` \
             (or render with `--details all`).*\n"
        );
    }
}

fn check_details(s: &mut String, n: usize, c: &CheckResult, excerpt: bool) {
    let _ = write!(s, "### {n}. {}", code(&c.id, false));
    if c.title != c.id {
        let _ = write!(s, " — {}", text(&c.title));
    }
    s.push_str("\n\n");
    let _ = write!(
        s,
        "- **Status:** {} · **Kind:** {} · **Critical:** {} · **Duration:** {}",
        status_cell(c.status),
        text(&c.kind),
        if c.critical { "yes" } else { "no" },
        fmt_check_duration(c),
    );
    if let Some(pos) = &c.pos {
        let _ = write!(s, " · **Plan line:** {}", pos.line);
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
    assertions(s, c, excerpt);
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
    if !c.measurements.is_empty() && !excerpt {
        let _ = writeln!(s, "**Measurements**\n");
        table_head(s, &["Metric", "Value", "Target", "Met"]);
        for m in &c.measurements {
            row(
                s,
                &[
                    &cell(&m.name),
                    &fmt_measurement(m),
                    &m.target.as_deref().map_or_else(|| "–".to_owned(), cell),
                    super::met_cell(m.met),
                ],
            );
        }
        s.push('\n');
    }
    series(s, c);
    if !c.captures.is_empty() && !excerpt {
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
    for ev in &c.evidence {
        evidence(s, ev, excerpt);
    }
}

/// A summary row per time series; the points stay in `report.json` (and the HTML charts).
fn series(s: &mut String, c: &CheckResult) {
    if c.series.is_empty() {
        return;
    }
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
                    MeasureUnit::Ms => fmt_ms(x),
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

/// The assertion table; for a problem check only the failed assertions (and a count of
/// those that held).
fn assertions(s: &mut String, c: &CheckResult, only_failed: bool) {
    let shown: Vec<_> = c
        .assertions
        .iter()
        .filter(|a| !only_failed || !a.passed)
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(s, "**Assertions**\n");
    table_head(s, &["Subject", "Predicate", "Expected", "Actual", "Result"]);
    for a in &shown {
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
    let held = c.assertions.len() - shown.len();
    if held > 0 {
        let _ = writeln!(s, "\n{held} other assertion(s) held.");
    }
    s.push('\n');
}

fn evidence(s: &mut String, ev: &Evidence, excerpt: bool) {
    let lines = ev.text.lines().count();
    let (body, cut) = if excerpt && (lines > EXCERPT_LINES || ev.text.len() > EXCERPT_CHARS) {
        let mut body: String = ev
            .text
            .lines()
            .take(EXCERPT_LINES)
            .collect::<Vec<_>>()
            .join("\n");
        if body.len() > EXCERPT_CHARS {
            let mut end = EXCERPT_CHARS;
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        (
            body,
            format!(" (excerpt of {lines} lines; the whole text is in `report.json`)"),
        )
    } else {
        (ev.text.clone(), String::new())
    };
    let capped = if ev.truncated {
        " (truncated at the evidence cap)"
    } else {
        ""
    };
    let _ = writeln!(s, "*{}*{capped}{cut}\n", text(&ev.label));
    let _ = writeln!(s, "{}", fenced(&body, "text"));
}

/// `## Issues`: each check that failed, errored or did not run (severity, class, the
/// failing assertion, a hint from its kind), then the lint findings.
pub(super) fn issues(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Issues\n");
    let problem_checks: Vec<&CheckResult> =
        report.checks.iter().filter(|c| is_problem(c)).collect();
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
    let class = match (&c.error, c.status) {
        (Some(e), _) => e.class.as_str(),
        (None, Status::Failed) => "assertion",
        (None, Status::NotRun) => "not-run",
        (None, _) => "unknown",
    };
    let _ = writeln!(
        s,
        "- **Severity:** {} · **Class:** {class}",
        if c.critical {
            "critical"
        } else {
            "non-critical"
        }
    );
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
    if let Some(hint) = &c.hint {
        let _ = writeln!(s, "- **Usual cause:** {}", text(hint));
    }
    s.push('\n');
}
