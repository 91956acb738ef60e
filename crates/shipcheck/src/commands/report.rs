//! `shipcheck report RUN.json`: re-render a saved run.

use std::path::PathBuf;

use anyhow::Context as _;
use shipcheck_render::{Format, RenderConfig};
use shipcheck_report::Report;

use crate::exit;

/// Arguments of `shipcheck report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// A `report.json` written by `shipcheck verify` or `shipcheck demo`.
    pub(crate) run: PathBuf,
    /// Output format: md, json, junit or terminal.
    #[arg(long, default_value = "md")]
    pub(crate) format: String,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
}

/// Runs `shipcheck report`.
pub(crate) fn run(args: ReportArgs) -> anyhow::Result<i32> {
    let format: Format = match args.format.parse() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let text = match std::fs::read_to_string(&args.run) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.run.display());
            return Ok(exit::USAGE);
        }
    };
    let report: Report = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "error: {}:{}:{}: not a shipcheck report: {e}",
                args.run.display(),
                e.line(),
                e.column()
            );
            return Ok(exit::USAGE);
        }
    };
    let rendered = shipcheck_render::render_to_string(format, &report, &RenderConfig::default())
        .context("rendering the report")?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{rendered}"),
    }
    Ok(exit::OK)
}
