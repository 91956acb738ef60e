//! GitHub Actions workflow commands: one annotation per lint finding and per check that
//! failed or could not run, then the verdict.
//!
//! The format is GitHub's "workflow commands"
//! (<https://docs.github.com/actions/reference/workflow-commands-for-github-actions>):
//! `::error file=F,line=L,endLine=E,col=C,endColumn=EC,title=T::message`, with `notice`
//! and `warning` the other levels. Escaping follows the runner's toolkit
//! (`@actions/core`, `command.ts`): in the message `%`, `\r`, `\n` become `%25`, `%0D`,
//! `%0A`; in a property value `:` and `,` also become `%3A` and `%2C`.

use std::fmt::Write as _;
use std::io::Write;

use shipcheck_report::{CheckResult, Finding, Report, Severity, Status, VerdictStatus};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::text::{clean, notes, project_path};

/// Writes workflow-command annotations.
pub(crate) struct GithubRenderer;

/// Escapes an annotation message (`escapeData` in the toolkit).
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`escapeProperty` in the toolkit).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One `::level props::message` line; properties with no value are left out.
fn command(out: &mut String, level: &str, props: &[(&str, Option<String>)], message: &str) {
    let props: Vec<String> = props
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}", escape_property(&clean(v))))
        })
        .collect();
    let sep = if props.is_empty() { "" } else { " " };
    let _ = writeln!(
        out,
        "::{level}{sep}{}::{}",
        props.join(","),
        escape_data(&clean(message))
    );
}

fn finding(out: &mut String, f: &Finding) {
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    command(
        out,
        level(f.severity),
        &[
            ("file", Some(project_path(&f.path).to_owned())),
            ("line", Some(f.line.to_string())),
            ("endLine", f.end_line.map(|l| l.to_string())),
            ("col", Some(f.column.to_string())),
            (
                "endColumn",
                // GitHub takes a column range on a single line only.
                f.end_column
                    .filter(|_| f.end_line.is_none_or(|l| l == f.line))
                    .map(|c| c.to_string()),
            ),
            ("title", Some(f.rule.clone())),
        ],
        &message,
    );
}

fn check(out: &mut String, report: &Report, c: &CheckResult) {
    let (what, lvl) = match c.status {
        Status::Failed => ("failed", "error"),
        Status::Error => ("could not run", "error"),
        _ => return,
    };
    let lvl = if c.critical { lvl } else { "warning" };
    // The plan's path, when it names a plan file (the demo's bundled plan has none).
    let file = report
        .run
        .plan
        .as_ref()
        .map(|p| p.path.clone())
        .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"));
    let pos = c.pos.filter(|_| file.is_some());
    command(
        out,
        lvl,
        &[
            ("file", file.filter(|_| pos.is_some())),
            ("line", pos.map(|p| p.line.to_string())),
            ("col", pos.map(|p| p.column.to_string())),
            ("title", Some(format!("check {} {what}", c.id))),
        ],
        &notes(c),
    );
}

impl Render for GithubRenderer {
    fn render(
        &self,
        report: &Report,
        _cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let mut s = String::new();
        for c in &report.checks {
            check(&mut s, report, c);
        }
        for f in &report.findings {
            finding(&mut s, f);
        }
        let lvl = match report.verdict.status {
            VerdictStatus::Ready => "notice",
            VerdictStatus::ReadyWithCaveats => "warning",
            VerdictStatus::NotReady => "error",
        };
        let mut message = format!(
            "{}; {}",
            report.verdict.status.label(),
            report.coverage.text
        );
        for r in &report.verdict.reasons {
            message.push_str("\n- ");
            message.push_str(r);
        }
        command(
            &mut s,
            lvl,
            &[("title", Some("shipcheck verdict".to_owned()))],
            &message,
        );
        out.write_all(s.as_bytes())
            .map_err(RenderError::write("github"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, fixtures, render_to_string};

    /// Parses one workflow command line back per the documented grammar, unescaping.
    fn parse(line: &str) -> (String, Vec<(String, String)>, String) {
        let unescape = |s: &str| {
            s.replace("%0A", "\n")
                .replace("%0D", "\r")
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%25", "%")
        };
        let rest = line.strip_prefix("::").unwrap();
        let (head, message) = rest.split_once("::").unwrap();
        let (level, props) = head.split_once(' ').unwrap_or((head, ""));
        let props = props
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_owned(), unescape(v))
            })
            .collect();
        (level.to_owned(), props, unescape(message))
    }

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb:c,d"), "50%25 a%0D%0Ab:c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn every_line_is_one_well_formed_command() {
        let mut report = fixtures::mixed();
        report.findings[0].message = "bad: 100%, really,\nyes".into();
        let text = render_to_string(Format::Github, &report, &RenderConfig::default()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Two failed checks, one error, three findings, the verdict.
        assert_eq!(lines.len(), 3 + report.findings.len() + 1, "{text}");
        for line in &lines {
            let (level, props, _) = parse(line);
            assert!(
                ["error", "warning", "notice"].contains(&level.as_str()),
                "{line}"
            );
            for (k, _) in &props {
                assert!(
                    ["file", "line", "endLine", "col", "endColumn", "title"].contains(&k.as_str()),
                    "{line}"
                );
            }
        }
        let (level, props, message) = parse(
            lines
                .iter()
                .find(|l| l.contains(&report.findings[0].rule.replace(':', "%3A")))
                .unwrap(),
        );
        let f = &report.findings[0];
        assert_eq!(level, level_of(f.severity));
        assert!(props.contains(&("file".into(), f.path.clone())));
        assert!(props.contains(&("line".into(), f.line.to_string())));
        assert!(props.contains(&("col".into(), f.column.to_string())));
        assert!(message.starts_with("bad: 100%, really,\nyes"), "{message}");
        // The non-critical failure is a warning, the critical one an error.
        let latency = lines
            .iter()
            .find(|l| l.contains("check ready-latency"))
            .unwrap();
        assert!(latency.starts_with("::warning "), "{latency}");
        let login = lines
            .iter()
            .find(|l| l.contains("check login failed"))
            .unwrap();
        assert!(login.starts_with("::error "), "{login}");
        assert!(
            lines
                .last()
                .unwrap()
                .starts_with("::error title=shipcheck verdict::not ready")
        );
        // A failed check points at its line in the plan file.
        let mut located = report.clone();
        located.checks[1].pos = Some(shipcheck_report::SourcePos {
            line: 12,
            column: 5,
        });
        let text = render_to_string(Format::Github, &located, &RenderConfig::default()).unwrap();
        let (_, props, _) = parse(text.lines().find(|l| l.contains("check login")).unwrap());
        assert!(
            props.contains(&("file".into(), "plans/staging.yaml".into())),
            "{props:?}"
        );
        assert!(props.contains(&("line".into(), "12".into())), "{props:?}");
        // No file for a plan that is not a file (the demo's bundled plan).
        located.run.plan.as_mut().unwrap().path = "bundled demo plan (shipcheck demo)".into();
        let text = render_to_string(Format::Github, &located, &RenderConfig::default()).unwrap();
        assert!(!text.contains("file=bundled"), "{text}");
    }

    fn level_of(s: Severity) -> String {
        level(s).to_owned()
    }
}
