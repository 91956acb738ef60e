//! JSON output: the shared [`Finding`] model plus counts.

use std::io;

use serde::Serialize;
use shipcheck_report::Finding;

use super::severity_counts;

#[derive(Serialize)]
struct JsonOutput<'a> {
    tool: &'static str,
    version: &'static str,
    files_scanned: usize,
    summary: Summary,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
}

/// Renders findings as one JSON document.
pub fn render_json(
    findings: &[Finding],
    files_scanned: usize,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let (error, warning, info) = severity_counts(findings);
    let doc = JsonOutput {
        tool: "shipcheck",
        version: env!("CARGO_PKG_VERSION"),
        files_scanned,
        summary: Summary {
            error,
            warning,
            info,
        },
        findings,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
