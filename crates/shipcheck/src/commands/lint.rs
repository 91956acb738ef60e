//! `shipcheck lint`: lint deployment artifacts into the shared report model, render it
//! (every format lives in `shipcheck_render`) and exit by `--fail-on`.

use std::io;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use shipcheck_lint::{
    LintError, LintOptions, Severity, lint_inputs, read_inputs, read_stdin, stdin_inputs,
};
use shipcheck_render::{DetailLevel, RenderConfig};
use shipcheck_report::{Report, RunInfo};

use crate::cli::GlobalArgs;
use crate::exit::{self, Stdout};
use crate::files;

/// Files `--output DIR` writes for a lint run.
const LINT_FILES: [(&str, shipcheck_render::Format); 4] = [
    ("report.json", shipcheck_render::Format::Json),
    ("report.html", shipcheck_render::Format::Html),
    ("report.sarif", shipcheck_render::Format::Sarif),
    ("junit.xml", shipcheck_render::Format::Junit),
];

/// Output format of `shipcheck lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// file:line:col, rule, message, code frame and help.
    #[value(alias = "terminal")]
    Human,
    /// The report model (as `report.json`; `shipcheck report` re-renders it).
    Json,
    /// SARIF 2.1.0 (for code-scanning UIs).
    Sarif,
    /// JUnit XML: a testsuite per file, a testcase per finding, failures at `--fail-on`.
    Junit,
    /// The Markdown report.
    #[value(alias = "md")]
    Markdown,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl Format {
    fn renderer(self) -> shipcheck_render::Format {
        match self {
            Format::Human => shipcheck_render::Format::Terminal,
            Format::Json => shipcheck_render::Format::Json,
            Format::Sarif => shipcheck_render::Format::Sarif,
            Format::Junit => shipcheck_render::Format::Junit,
            Format::Markdown => shipcheck_render::Format::Markdown,
            Format::Github => shipcheck_render::Format::Github,
            Format::Gitlab => shipcheck_render::Format::Gitlab,
        }
    }
}

/// The lowest severity that makes `lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// Errors only (default).
    Error,
    /// Warnings and errors.
    Warning,
    /// Any finding.
    Info,
    /// Never fail on findings.
    Never,
}

/// Arguments of `shipcheck lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct LintArgs {
    /// Files or directories to lint (default: the current directory); `-` reads stdin
    /// (a `helm template` stream is split at its `# Source:` comments).
    #[arg(default_value = ".")]
    pub(crate) paths: Vec<String>,
    /// Output format (human is coloured on a terminal; see `--color`).
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: Format,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value = "error")]
    pub(crate) fail_on: FailOn,
    /// Use this config file instead of the nearest `.shipcheck.yaml`.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Namespace of objects that declare none (they then count as production if it matches).
    #[arg(long)]
    pub(crate) namespace: Option<String>,
    /// Also write report.json, report.html, report.sarif and junit.xml into this directory.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
    /// Also write an evidence bundle: the report files and a SHA-256 manifest in one .tar.gz
    /// (check it with `shipcheck bundle verify`).
    #[arg(long, value_name = "OUT.tar.gz")]
    pub(crate) bundle: Option<PathBuf>,
}

/// Runs `shipcheck lint`.
pub(crate) fn run(args: LintArgs, global: GlobalArgs) -> anyhow::Result<i32> {
    let started = SystemTime::now();
    let clock = Instant::now();
    if let Some(config) = &args.config
        && let Err(e) = files::check_regular(config, files::MAX_CONFIG_BYTES)
    {
        eprintln!("error: --config: {e:#}");
        return Ok(exit::USAGE);
    }
    let opts = LintOptions {
        config: args.config.clone(),
        namespace: args.namespace.clone(),
    };
    let outcome = match collect_and_lint(&args, &opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            return Ok(exit::USAGE);
        }
    };
    for w in &outcome.config_warnings {
        eprintln!("warning: {w}");
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let run = RunInfo {
        tool: "shipcheck".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: "lint".into(),
        started_at: humantime::format_rfc3339_seconds(started).to_string(),
        duration_ms: clock.elapsed().as_secs_f64() * 1000.0,
        host: crate::commands::verify::hostname(),
        ..RunInfo::default()
    };
    let report = outcome.into_report(run, threshold);
    let code = if report.findings_fail() {
        exit::FAILED
    } else {
        exit::OK
    };
    emit(&report, &args, global, code)
}

/// Writes the `--output` files, prints the chosen format and settles the exit code.
fn emit(report: &Report, args: &LintArgs, global: GlobalArgs, code: i32) -> anyhow::Result<i32> {
    let written = match &args.output {
        Some(dir) => {
            crate::commands::verify::write_files(report, dir, &LINT_FILES, DetailLevel::Failed)
        }
        None => Ok(()),
    }
    .and_then(|()| match &args.bundle {
        Some(path) => crate::bundle::write(path, report, &LINT_FILES),
        None => Ok(()),
    });
    crate::ci::append_step_summary(report);
    let (ascii, width) = crate::cli::stdout_layout();
    let cfg = RenderConfig {
        color: args.format == Format::Human && global.stdout_color(),
        verbose: global.verbose,
        ascii,
        width,
        details: DetailLevel::Failed,
    };
    let text = shipcheck_render::render_to_string(args.format.renderer(), report, &cfg)?;
    let stdout = exit::write_stdout(text.as_bytes())?;
    if let Err(e) = written {
        eprintln!("error: {e:#}");
        return Ok(exit::USAGE);
    }
    Ok(if stdout == Stdout::Closed {
        exit::OK
    } else {
        code
    })
}

fn collect_and_lint(
    args: &LintArgs,
    opts: &LintOptions,
) -> Result<shipcheck_lint::LintOutcome, LintError> {
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| *p != "-")
        .map(PathBuf::from)
        .collect();
    let mut inputs = if paths.is_empty() {
        Vec::new()
    } else {
        read_inputs(&paths)?
    };
    if args.paths.iter().any(|p| p == "-") {
        inputs.extend(stdin_inputs(read_stdin(io::stdin().lock())?));
    }
    lint_inputs(inputs, opts)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}
