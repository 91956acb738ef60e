//! The sections of the HTML report, in the Markdown report's order.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use annotate_snippets::Renderer;
use shipcheck_report::{CheckResult, Evidence, Finding, Report, Status};

use super::{esc, status_class};
use crate::format::DetailLevel;
use crate::markdown::{targeted, timing_groups};
use crate::text::{assertion_line, fmt_check_duration, fmt_measurement, fmt_ms, notes, one_line};

/// Characters of one evidence item shown for a check that did not pass; the whole text is
/// in `report.json`.
const EXCERPT_CHARS: usize = 4_000;

fn is_problem(c: &CheckResult) -> bool {
    matches!(c.status, Status::Failed | Status::Error | Status::NotRun)
}

pub(super) fn summary(s: &mut String, report: &Report) {
    let v = report.verdict.status;
    let _ = writeln!(
        s,
        "<h2 id=\"summary\">Executive summary</h2><p><span class=\"verdict {}\">{}</span> {}</p>",
        v.as_str(),
        esc(v.label()),
        esc(&report.coverage.text)
    );
    let _ = write!(
        s,
        "<table><tr><th>Checks</th><th>Passed</th><th>Failed</th><th>Error</th><th>Skipped</th><th>Not run</th></tr><tr><td>{}</td>",
        report.summary.total
    );
    for st in [
        Status::Passed,
        Status::Failed,
        Status::Error,
        Status::Skipped,
        Status::NotRun,
    ] {
        let _ = write!(s, "<td>{}</td>", report.summary.count(st));
    }
    let _ = writeln!(s, "</tr></table>");
    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Failed | Status::Error))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(s, "<p>What failed:</p><ul>");
        for c in failed {
            let _ = writeln!(
                s,
                "<li><a href=\"#check-{}\"><code>{}</code></a> ({}{}): {}</li>",
                esc(&c.id),
                esc(&c.id),
                esc(&c.kind),
                if c.critical { ", critical" } else { "" },
                esc(&one_line(&notes(c), 240))
            );
        }
        let _ = writeln!(s, "</ul>");
    }
}

pub(super) fn environment(s: &mut String, report: &Report) {
    let env = &report.run.environment;
    if env.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<h2 id=\"environment\">Environment</h2><p class=\"hint\">Declared by the plan, not verified.</p><table>"
    );
    for (k, v) in env {
        let _ = writeln!(s, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    let _ = writeln!(s, "</table>");
}

pub(super) fn results(s: &mut String, report: &Report) {
    if report.checks.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<h2 id=\"results\">Results <label class=\"filter\"><input type=\"checkbox\" id=\"only-failed\"> only checks that did not pass</label></h2>\
         <table class=\"results\"><tr><th>#</th><th>Check</th><th>Kind</th><th>Status</th><th>Duration</th><th>Notes</th></tr>"
    );
    for (i, c) in report.checks.iter().enumerate() {
        let _ = writeln!(
            s,
            "<tr class=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"status\">{}</td><td>{}</td><td>{}</td></tr>",
            status_class(c.status),
            i + 1,
            esc(&c.id),
            esc(&c.kind),
            c.status.as_str(),
            esc(&fmt_check_duration(c)),
            esc(&one_line(&notes(c), 200))
        );
    }
    let _ = writeln!(s, "</table>");
}

pub(super) fn details(s: &mut String, report: &Report, level: DetailLevel) {
    if report.checks.is_empty() || level == DetailLevel::None {
        return;
    }
    let _ = writeln!(s, "<h2 id=\"details\">Details</h2>");
    for c in &report.checks {
        if is_problem(c) {
            check(s, c, true);
        } else if level == DetailLevel::All {
            let _ = writeln!(
                s,
                "<details class=\"{}\"><summary><code>{}</code> — {}</summary>",
                status_class(c.status),
                esc(&c.id),
                c.status.as_str()
            );
            check(s, c, false);
            let _ = writeln!(s, "</details>");
        }
    }
    if level == DetailLevel::Failed && !report.checks.iter().any(is_problem) {
        let _ = writeln!(
            s,
            "<p>Every check that ran passed; their details are in <code>report.json</code>.</p>"
        );
    }
}

fn check(s: &mut String, c: &CheckResult, excerpt: bool) {
    let _ = writeln!(
        s,
        "<div class=\"{}\" id=\"check-{}\"><h3><code>{}</code> — {}</h3><p><span class=\"status\">{}</span> · {} · {} · {}{}</p>",
        status_class(c.status),
        esc(&c.id),
        esc(&c.id),
        esc(&c.title),
        c.status.as_str(),
        esc(&c.kind),
        if c.critical {
            "critical"
        } else {
            "non-critical"
        },
        esc(&fmt_check_duration(c)),
        c.pos
            .as_ref()
            .map_or_else(String::new, |p| format!(" · plan line {}", p.line))
    );
    if let Some(e) = &c.error {
        let _ = writeln!(
            s,
            "<p><strong>{}</strong>: {}</p>",
            e.class.as_str(),
            esc(&e.message)
        );
    } else if let Some(r) = &c.reason {
        let _ = writeln!(s, "<p>{}</p>", esc(r));
    }
    if !c.assertions.is_empty() {
        let _ = writeln!(
            s,
            "<table><tr><th>Subject</th><th>Predicate</th><th>Expected</th><th>Actual</th><th></th></tr>"
        );
        for a in c.assertions.iter().filter(|a| !excerpt || !a.passed) {
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"{}\">{}</td></tr>",
                esc(&a.subject),
                esc(&a.predicate),
                esc(&a.expected),
                esc(&a.actual),
                if a.passed { "met" } else { "missed" },
                if a.passed { "✓" } else { "✗" }
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if !excerpt && !c.measurements.is_empty() {
        let _ = writeln!(
            s,
            "<table><tr><th>Metric</th><th>Value</th><th>Target</th></tr>"
        );
        for m in &c.measurements {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&m.name),
                esc(&fmt_measurement(m)),
                esc(m.target.as_deref().unwrap_or("–"))
            );
        }
        let _ = writeln!(s, "</table>");
    }
    for ev in &c.evidence {
        evidence(s, ev, excerpt);
    }
    let _ = writeln!(s, "</div>");
}

fn evidence(s: &mut String, ev: &Evidence, excerpt: bool) {
    let mut body = ev.text.as_str();
    let mut note = "";
    if excerpt && body.len() > EXCERPT_CHARS {
        let mut end = EXCERPT_CHARS;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body = &body[..end];
        note = " (excerpt; the whole text is in report.json)";
    }
    let _ = writeln!(
        s,
        "<p><em>{}</em>{}{note}</p><pre>{}</pre>",
        esc(&ev.label),
        if ev.truncated {
            " (truncated at the evidence cap)"
        } else {
            ""
        },
        esc(body)
    );
}

pub(super) fn issues(s: &mut String, report: &Report) {
    let problems: Vec<_> = report.checks.iter().filter(|c| is_problem(c)).collect();
    if problems.is_empty() {
        return;
    }
    let _ = writeln!(s, "<h2 id=\"issues\">Issues</h2><ol>");
    for c in problems {
        let what = match c.failed_assertions().next() {
            Some(a) => assertion_line(a),
            None => notes(c),
        };
        let _ = write!(
            s,
            "<li class=\"{}\"><code>{}</code> — {} ({}): {}",
            status_class(c.status),
            esc(&c.id),
            c.status.as_str(),
            if c.critical {
                "critical"
            } else {
                "non-critical"
            },
            esc(&what)
        );
        if let Some(h) = &c.hint {
            let _ = write!(s, "<br><span class=\"hint\">Usual cause: {}</span>", esc(h));
        }
        let _ = writeln!(s, "</li>");
    }
    let _ = writeln!(s, "</ol>");
}

/// Lint findings grouped by file, each with its code frame.
pub(super) fn lint_findings(s: &mut String, report: &Report) {
    if report.findings.is_empty() {
        return;
    }
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_file.entry(f.path.as_str()).or_default().push(f);
    }
    let renderer = Renderer::plain();
    let _ = writeln!(
        s,
        "<h2 id=\"lint\">Lint findings ({})</h2>",
        report.findings.len()
    );
    for (path, findings) in by_file {
        let _ = writeln!(
            s,
            "<h3><code>{}</code> ({})</h3>",
            esc(path),
            findings.len()
        );
        for f in findings {
            let _ = writeln!(
                s,
                "<pre class=\"finding {}\">{}</pre>",
                f.severity.as_str(),
                esc(&crate::frames::finding_frame(f, &renderer))
            );
        }
    }
}

pub(super) fn performance(s: &mut String, report: &Report) {
    let targeted = targeted(report);
    let groups = timing_groups(report);
    if targeted.is_empty() && groups.is_empty() {
        return;
    }
    let _ = writeln!(s, "<h2 id=\"performance\">Performance</h2>");
    if !targeted.is_empty() {
        let _ = writeln!(
            s,
            "<table><tr><th>Check</th><th>Metric</th><th>Value</th><th>Target</th><th>Status</th></tr>"
        );
        for (c, m) in targeted {
            let (class, word) = match m.met {
                Some(true) => ("met", "✓ met"),
                Some(false) => ("missed", "✗ missed"),
                None => ("", "–"),
            };
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td></tr>",
                esc(&c.id),
                esc(&m.name),
                esc(&fmt_measurement(m)),
                esc(m.target.as_deref().unwrap_or(""))
            );
        }
        let _ = writeln!(s, "</table>");
    }
    if !groups.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"hint\">Timings without a target (informational), per kind of check:</p>\
             <table><tr><th>Kind</th><th>Metric</th><th>Checks</th><th>Median</th><th>Max</th></tr>"
        );
        for ((kind, metric), g) in &groups {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(kind),
                esc(metric),
                g.values.len(),
                esc(&fmt_ms(g.median())),
                esc(&fmt_ms(g.max()))
            );
        }
        let _ = writeln!(s, "</table>");
    }
}

pub(super) fn verdict(s: &mut String, report: &Report) {
    let v = report.verdict.status;
    let _ = writeln!(
        s,
        "<h2 id=\"verdict\">Verdict</h2><p><span class=\"verdict {}\">{}</span></p>",
        v.as_str(),
        esc(v.label())
    );
    if !report.verdict.reasons.is_empty() {
        let _ = writeln!(s, "<ul>");
        for r in &report.verdict.reasons {
            let _ = writeln!(s, "<li>{}</li>", esc(r));
        }
        let _ = writeln!(s, "</ul>");
    }
    let _ = writeln!(s, "<p>Coverage: {}.</p>", esc(&report.coverage.text));
}
