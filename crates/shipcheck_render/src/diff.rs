//! `shipcheck diff`: a [`RunDiff`] as terminal text or Markdown.

use std::fmt::Write as _;
use std::io::Write;

use shipcheck_report::diff::{Change, MeasurementChange, RunDiff, RunRef};
use shipcheck_report::{Finding, Measurement, Status};

use crate::error::RenderError;
use crate::md_escape;
use crate::text::{clean, fmt_measurement, one_line, paint};

/// How to show a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// Plain text (coloured when asked).
    Terminal,
    /// A Markdown section (a pull-request comment, a step summary).
    Markdown,
    /// The diff model as JSON.
    Json,
}

/// Writes `diff` in `format`; `color` applies to terminal text only.
pub fn render_diff(
    diff: &RunDiff,
    format: DiffFormat,
    color: bool,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let text = match format {
        DiffFormat::Terminal => terminal(diff, color),
        DiffFormat::Markdown => crate::sanitize::clean_output(&markdown(diff)),
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(diff).map_err(RenderError::Json)?;
            s.push('\n');
            s
        }
    };
    out.write_all(text.as_bytes())
        .map_err(RenderError::write("diff"))
}

fn mark(c: Change) -> &'static str {
    match c {
        Change::Regressed => "▼",
        Change::Improved => "▲",
        Change::Changed => "•",
    }
}

fn sgr(c: Change) -> &'static str {
    match c {
        Change::Regressed => "31",
        Change::Improved => "32",
        Change::Changed => "2",
    }
}

fn status(s: Option<Status>) -> &'static str {
    s.map_or("absent", Status::as_str)
}

fn run_label(r: &RunRef) -> String {
    let plan = r
        .plan
        .as_deref()
        .map(|p| format!(" of {p}"))
        .unwrap_or_default();
    format!(
        "{}{plan} at {} ({})",
        r.command,
        r.started_at,
        r.verdict.label()
    )
}

fn value(m: &MeasurementChange, v: f64) -> String {
    fmt_measurement(&Measurement::new("", v, m.unit))
}

fn relative(m: &MeasurementChange) -> String {
    match m.relative {
        Some(r) => format!("{:+.0}%", r * 100.0),
        None => "new".to_owned(),
    }
}

fn headline(diff: &RunDiff) -> String {
    let (regressed, improved) = diff.counts();
    if diff.is_empty() {
        return "no differences".to_owned();
    }
    format!(
        "{regressed} regressed, {improved} improved (tolerance {:.0}%)",
        diff.tolerance * 100.0
    )
}

fn finding_line(f: &Finding) -> String {
    format!(
        "{}:{}:{} {} [{}] {}",
        f.path,
        f.line,
        f.column,
        f.severity.as_str(),
        f.rule,
        one_line(&f.message, 120)
    )
}

fn terminal(diff: &RunDiff, color: bool) -> String {
    let mut s = String::new();
    // Text from the reports is cleaned line by line, before colour is added.
    let _ = writeln!(s, "old: {}", clean(&run_label(&diff.old)));
    let _ = writeln!(s, "new: {}", clean(&run_label(&diff.new)));
    if let Some(c) = diff.verdict {
        let line = format!(
            "{} verdict {} → {}",
            mark(c),
            diff.old.verdict.label(),
            diff.new.verdict.label()
        );
        let _ = writeln!(s, "{}", paint(&clean(&line), sgr(c), color));
    }
    if let Some(c) = diff.coverage.change {
        let (o, n) = (diff.coverage.old, diff.coverage.new);
        let line = format!(
            "{} coverage {} of {} → {} of {} checks ran",
            mark(c),
            o.0,
            o.1,
            n.0,
            n.1
        );
        let _ = writeln!(s, "{}", paint(&clean(&line), sgr(c), color));
    }
    if !diff.checks.is_empty() {
        let _ = writeln!(s, "\nchecks:");
        for c in &diff.checks {
            let reason = c
                .reason
                .as_deref()
                .map(|r| format!(" — {}", one_line(r, 90)))
                .unwrap_or_default();
            let line = format!(
                "  {} {}: {} → {}{reason}",
                mark(c.change),
                c.id,
                status(c.old),
                status(c.new)
            );
            let _ = writeln!(s, "{}", paint(&clean(&line), sgr(c.change), color));
        }
    }
    if !diff.measurements.is_empty() {
        let _ = writeln!(s, "\nmeasurements:");
        for m in &diff.measurements {
            let target = m
                .target
                .as_deref()
                .map(|t| format!(" (target {t})"))
                .unwrap_or_default();
            let line = format!(
                "  {} {} {}: {} → {} ({}){target}",
                mark(m.change),
                m.check,
                m.name,
                value(m, m.old),
                value(m, m.new),
                relative(m)
            );
            let _ = writeln!(s, "{}", paint(&clean(&line), sgr(m.change), color));
        }
    }
    for (title, list, change) in [
        ("new findings", &diff.new_findings, Change::Regressed),
        ("fixed findings", &diff.fixed_findings, Change::Improved),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title}:");
        for f in list {
            let line = format!("  {} {}", mark(change), finding_line(f));
            let _ = writeln!(s, "{}", paint(&clean(&line), sgr(change), color));
        }
    }
    let _ = writeln!(s, "\n{}", headline(diff));
    s
}

fn markdown(diff: &RunDiff) -> String {
    let mut s = String::from("# shipcheck diff\n\n");
    let _ = writeln!(s, "- **old:** {}", md_escape::text(&run_label(&diff.old)));
    let _ = writeln!(s, "- **new:** {}", md_escape::text(&run_label(&diff.new)));
    let _ = writeln!(s, "- **result:** {}\n", headline(diff));
    if let Some(c) = diff.verdict {
        let _ = writeln!(
            s,
            "**Verdict {}:** {} → {}\n",
            c.as_str(),
            diff.old.verdict.label(),
            diff.new.verdict.label()
        );
    }
    if let Some(c) = diff.coverage.change {
        let (o, n) = (diff.coverage.old, diff.coverage.new);
        let _ = writeln!(
            s,
            "**Coverage {}:** {} of {} → {} of {} checks ran\n",
            c.as_str(),
            o.0,
            o.1,
            n.0,
            n.1
        );
    }
    if !diff.checks.is_empty() {
        s.push_str("## Checks\n\n| | check | before | now | note |\n|---|---|---|---|---|\n");
        for c in &diff.checks {
            let _ = writeln!(
                s,
                "| {} {} | {} | {} | {} | {} |",
                mark(c.change),
                c.change.as_str(),
                md_escape::code(&c.id, true),
                status(c.old),
                status(c.new),
                md_escape::cell(
                    &c.reason
                        .as_deref()
                        .map(|r| one_line(r, 90))
                        .unwrap_or_default()
                )
            );
        }
        s.push('\n');
    }
    if !diff.measurements.is_empty() {
        s.push_str(
            "## Measurements\n\n| | check | measurement | before | now | change | target |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for m in &diff.measurements {
            let _ = writeln!(
                s,
                "| {} {} | {} | {} | {} | {} | {} | {} |",
                mark(m.change),
                m.change.as_str(),
                md_escape::code(&m.check, true),
                md_escape::cell(&m.name),
                value(m, m.old),
                value(m, m.new),
                relative(m),
                md_escape::cell(m.target.as_deref().unwrap_or("–"))
            );
        }
        s.push('\n');
    }
    for (title, list) in [
        ("New findings", &diff.new_findings),
        ("Fixed findings", &diff.fixed_findings),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "## {title}\n");
        for f in list {
            let _ = writeln!(s, "- {}", md_escape::text(&finding_line(f)));
        }
        s.push('\n');
    }
    if diff.is_empty() {
        s.push_str("The two runs do not differ in anything compared.\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipcheck_report::diff::{DiffOptions, diff};
    use shipcheck_report::{CheckResult, MeasureUnit, Report, RunInfo};

    fn run(status: Status, ms: f64) -> Report {
        let mut c = CheckResult::new("latency", "http");
        c.status = status;
        let mut m = Measurement::new("total", ms, MeasureUnit::Ms);
        m.target = Some("under 200ms".into());
        m.met = Some(ms < 200.0);
        c.measurements.push(m);
        Report::new(RunInfo::default(), vec![c], Vec::new())
    }

    #[test]
    fn both_formats_name_what_regressed() {
        let d = diff(
            &run(Status::Passed, 20.0),
            &run(Status::Failed, 320.0),
            &DiffOptions::default(),
        );
        let mut md = Vec::new();
        render_diff(&d, DiffFormat::Markdown, false, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(
            md.contains("| ▼ regressed | `latency` | passed | failed |"),
            "{md}"
        );
        assert!(
            md.contains("| 20 ms | 320 ms | +1500% | under 200ms |"),
            "{md}"
        );
        let mut t = Vec::new();
        render_diff(&d, DiffFormat::Terminal, false, &mut t).unwrap();
        let t = String::from_utf8(t).unwrap();
        assert!(t.contains("▼ latency: passed → failed"), "{t}");
        assert!(t.contains("3 regressed, 0 improved"), "{t}");
        assert!(!t.contains('\x1b'));
    }
}
