//! Lint findings for a terminal: `severity[rule]: message`, `--> file:line:col`, a code
//! frame from the finding's own snippet (no file is read) and a help line, then a summary.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use shipcheck_report::{Finding, Report, Severity};

/// Byte offset in `snippet` of 1-based `line`/`col` relative to the snippet's first line.
fn offset_in(snippet: &str, first_line: u32, line: u32, col: u32) -> usize {
    let mut off = 0;
    for (i, l) in snippet.split('\n').enumerate() {
        if first_line + u32::try_from(i).unwrap_or(u32::MAX) == line {
            let within = l
                .char_indices()
                .nth(col.saturating_sub(1) as usize)
                .map_or(l.len(), |(b, _)| b);
            return off + within;
        }
        off += l.len() + 1;
    }
    snippet.len()
}

/// One finding as a code frame (its message, the snippet with the span marked, the help).
pub(crate) fn finding_frame(f: &Finding, renderer: &Renderer) -> String {
    let level = match f.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let title = level.primary_title(f.message.as_str()).id(f.rule.as_str());
    match &f.snippet {
        Some(snippet) => {
            let start = offset_in(snippet, f.line, f.line, f.column);
            let end = match (f.end_line, f.end_column) {
                (Some(l), Some(c)) => offset_in(snippet, f.line, l, c),
                _ => start,
            };
            let mut end = end.clamp(start, snippet.len());
            if end == start {
                end = snippet[start..]
                    .char_indices()
                    .nth(1)
                    .map_or(snippet.len(), |(b, _)| start + b);
            }
            let snip = Snippet::source(snippet.as_str())
                .line_start(f.line as usize)
                .path(f.path.as_str())
                .annotation(AnnotationKind::Primary.span(start..end));
            let mut group = title.element(snip);
            if let Some(h) = &f.help {
                group = group.element(Level::HELP.message(h.as_str()));
            }
            renderer.render(&[group])
        }
        None => {
            let mut group = title.element(
                annotate_snippets::Origin::path(f.path.as_str())
                    .line(f.line as usize)
                    .char_column(f.column as usize),
            );
            if let Some(h) = &f.help {
                group = group.element(Level::HELP.message(h.as_str()));
            }
            renderer.render(&[group])
        }
    }
}

/// The findings of a lint run with code frames (coloured when `color`), then a one-line
/// summary.
pub(crate) fn lint_text(report: &Report, files_scanned: usize, color: bool) -> String {
    let findings = &report.findings;
    let mut out = String::new();
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for f in findings {
        let text = finding_frame(f, &renderer);
        out.push_str(&text);
        out.push_str("\n\n");
    }
    let n = |s| {
        findings
            .iter()
            .filter(|f: &&Finding| f.severity == s)
            .count()
    };
    let (e, w, i) = (n(Severity::Error), n(Severity::Warning), n(Severity::Info));
    let _ = writeln!(
        out,
        "{} finding{} ({e} error{}, {w} warning{}, {i} info) in {files_scanned} file{}",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" },
        if files_scanned == 1 { "" } else { "s" },
    );
    out
}
