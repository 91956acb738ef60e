//! `shipcheck diff OLD.json NEW.json`: what got worse (or better) between two saved runs.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use shipcheck_render::DiffFormat;
use shipcheck_report::Report;
use shipcheck_report::diff::{DiffOptions, diff};

use crate::cli::GlobalArgs;
use crate::exit::{self, Stdout};
use crate::files;

/// Output format of `shipcheck diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Plain text, coloured on a terminal.
    Terminal,
    /// Markdown (a pull-request comment).
    #[value(alias = "markdown")]
    Md,
    /// The diff model as JSON.
    Json,
}

/// Arguments of `shipcheck diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The earlier run's report.json.
    pub(crate) old: PathBuf,
    /// The later run's report.json.
    pub(crate) new: PathBuf,
    /// Relative change of a measurement that is ignored (e.g. 10%, 0.1).
    #[arg(long, default_value = "10%", value_parser = parse_tolerance)]
    pub(crate) tolerance: f64,
    /// Changes of millisecond measurements smaller than this are ignored (timer noise).
    #[arg(long, default_value = "5ms", value_parser = crate::commands::verify::parse_duration)]
    pub(crate) min_latency_change: std::time::Duration,
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub(crate) format: Format,
}

/// `10%` → 0.1; `0.1` → 0.1.
fn parse_tolerance(s: &str) -> Result<f64, String> {
    let bad = || format!("invalid tolerance `{s}` (e.g. 10% or 0.1)");
    let t = s.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map_err(|_| bad())? / 100.0,
        None => t.parse::<f64>().map_err(|_| bad())?,
    };
    if !value.is_finite() || value < 0.0 {
        return Err(bad());
    }
    Ok(value)
}

fn load(path: &Path) -> anyhow::Result<Report> {
    let text = files::read_bounded(path, files::MAX_REPORT_BYTES)?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not a shipcheck report: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// Runs `shipcheck diff`: exit 1 when anything regressed, 0 otherwise, 2 on a bad input.
pub(crate) fn run(args: DiffArgs, global: GlobalArgs) -> anyhow::Result<i32> {
    let (old, new) = match (load(&args.old), load(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e:#}");
            return Ok(exit::USAGE);
        }
    };
    let opts = DiffOptions {
        tolerance: args.tolerance,
        min_ms: args.min_latency_change.as_secs_f64() * 1000.0,
    };
    let d = diff(&old, &new, &opts);
    let (format, color) = match args.format {
        Format::Terminal => (DiffFormat::Terminal, global.stdout_color()),
        Format::Md => (DiffFormat::Markdown, false),
        Format::Json => (DiffFormat::Json, false),
    };
    let mut text = Vec::new();
    shipcheck_render::render_diff(&d, format, color, &mut text).context("rendering the diff")?;
    let stdout = exit::write_stdout(&text).context("writing the diff to stdout")?;
    Ok(match stdout {
        Stdout::Closed => exit::OK,
        Stdout::Written if d.regressed() => exit::FAILED,
        Stdout::Written => exit::OK,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_tolerance;

    #[test]
    fn tolerances_parse() {
        assert_eq!(parse_tolerance("10%"), Ok(0.1));
        assert_eq!(parse_tolerance("0.25"), Ok(0.25));
        assert!(parse_tolerance("-5%").is_err());
        assert!(parse_tolerance("ten").is_err());
    }
}
