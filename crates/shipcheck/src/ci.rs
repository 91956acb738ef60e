//! CI integration that needs the environment (renderers read none): the GitHub Actions
//! step summary.

use std::io::Write as _;

use anyhow::Context as _;
use shipcheck_render::{Format, RenderConfig};
use shipcheck_report::Report;

/// GitHub shows at most 1 MiB of a step summary; the Markdown is cut below that.
const MAX_STEP_SUMMARY_BYTES: usize = 1000 * 1000;

/// When `GITHUB_STEP_SUMMARY` names a file, appends the report's Markdown to it (cut at a
/// line boundary below GitHub's 1 MiB limit). A failure is a warning: the run's result
/// does not depend on it.
pub(crate) fn append_step_summary(report: &Report) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let write = || -> anyhow::Result<()> {
        let mut md = shipcheck_render::render_to_string(
            Format::Markdown,
            report,
            &RenderConfig {
                ascii: true,
                ..RenderConfig::default()
            },
        )?;
        if md.len() > MAX_STEP_SUMMARY_BYTES {
            let mut cut = MAX_STEP_SUMMARY_BYTES - 200;
            while !md.is_char_boundary(cut) {
                cut -= 1;
            }
            let end = md[..cut].rfind('\n').unwrap_or(cut);
            md.truncate(end);
            md.push_str("\n\n*(cut at GitHub's step summary limit; see the full report.md)*\n");
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.to_string_lossy()))?;
        file.write_all(md.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .with_context(|| format!("cannot write {}", path.to_string_lossy()))
    };
    if let Err(e) = write() {
        eprintln!("warning: GITHUB_STEP_SUMMARY: {e:#}");
    }
}
