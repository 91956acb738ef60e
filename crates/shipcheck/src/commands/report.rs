//! `shipcheck report RUN.json`: re-render a saved run.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use shipcheck_render::{DetailLevel, Format, RenderConfig};
use shipcheck_report::Report;

use crate::cli::GlobalArgs;
use crate::exit;
use crate::files;

/// Arguments of `shipcheck report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// A `report.json` written by `shipcheck verify`, `demo` or `lint --format json`.
    pub(crate) run: PathBuf,
    /// Output format: md, html, json, junit, sarif, github, gitlab or terminal.
    #[arg(long, default_value = "md")]
    pub(crate) format: String,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
    /// Which checks get a details section (md, html): failed, all or none.
    #[arg(long, default_value = "failed", value_parser = crate::commands::verify::parse_details)]
    pub(crate) details: DetailLevel,
}

/// Runs `shipcheck report`.
pub(crate) fn run(args: ReportArgs, global: GlobalArgs) -> anyhow::Result<i32> {
    let format: Format = match args.format.parse() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let text = match files::read_bounded(&args.run, files::MAX_REPORT_BYTES) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e:#}");
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
    // Colour and layout only for the terminal format going to a terminal.
    let (ascii, width) = match &args.output {
        Some(_) => (true, None),
        None => crate::cli::stdout_layout(),
    };
    let cfg = RenderConfig {
        color: format == Format::Terminal && args.output.is_none() && global.stdout_color(),
        verbose: global.verbose,
        ascii,
        width,
        details: args.details,
    };
    let rendered = shipcheck_render::render_to_string(format, &report, &cfg)
        .context("rendering the report")?;
    match &args.output {
        Some(path) => {
            let (dir, name) = match (path.parent(), path.file_name()) {
                (Some(dir), Some(name)) => (
                    if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    },
                    name.to_string_lossy(),
                ),
                _ => {
                    eprintln!("error: --output {} is not a file path", path.display());
                    return Ok(exit::USAGE);
                }
            };
            if let Err(e) = files::write_atomic(dir, &name, rendered.as_bytes()) {
                eprintln!("error: {e:#}");
                return Ok(exit::USAGE);
            }
        }
        None => {
            exit::write_stdout(rendered.as_bytes()).context("writing the report to stdout")?;
        }
    }
    Ok(exit::OK)
}
