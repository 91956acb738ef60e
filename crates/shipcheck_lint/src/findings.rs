//! Diagnostics become [`Finding`]s: positions resolved once, secrets masked, frames cut.

use shipcheck_report::{Finding, Severity};
use shipcheck_source::SourceFile;

use crate::context::Diagnostic;
use crate::mask::mask_in;

/// The most source lines a code frame shows.
const MAX_FRAME_LINES: u32 = 3;

/// Converts diagnostics into findings, resolving line/column and masking secrets.
pub(crate) fn to_findings(
    diags: &[Diagnostic],
    files: &[SourceFile],
    severity: impl Fn(&Diagnostic) -> Severity,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = diags
        .iter()
        .filter_map(|d| {
            let f = files.get(d.span.file.0 as usize)?;
            let start = f.line_col(d.span.range.start);
            let end = f.line_col(d.span.range.end);
            let last = end.line.min(start.line + MAX_FRAME_LINES - 1);
            let mut snippet = String::new();
            if !f.text.is_empty() {
                for line in start.line..=last {
                    if line > start.line {
                        snippet.push('\n');
                    }
                    snippet.push_str(f.slice(f.lines.line_range(&f.text, line)));
                }
            }
            let (mut message, mut help) = (d.message.clone(), d.fix_title.clone());
            if let Some(s) = &d.secret {
                snippet = mask_in(&snippet, s);
                message = mask_in(&message, s);
                help = help.map(|h| mask_in(&h, s));
            }
            Some(Finding {
                rule: d.rule.code().to_owned(),
                severity: severity(d),
                message,
                path: f.path.clone(),
                line: start.line,
                column: start.column,
                end_line: Some(end.line),
                end_column: Some(end.column),
                snippet: (!snippet.is_empty()).then_some(snippet),
                help,
                check_id: None,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
    });
    out
}
