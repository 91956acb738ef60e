//! `shipcheck lint`: lint deployment artifacts and exit by `--fail-on`.

use std::io::{self, Write as _};
use std::path::PathBuf;

use shipcheck_lint::output::{render_human, render_json, render_junit, render_sarif};
use shipcheck_lint::{
    LintError, LintOptions, Severity, lint_inputs, read_inputs, read_stdin, stdin_inputs,
};

use crate::exit;

/// Output format of `shipcheck lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// file:line:col, rule, message, code frame and help.
    Human,
    /// The shared finding model as JSON.
    Json,
    /// SARIF 2.1.0 (for code-scanning UIs).
    Sarif,
    /// JUnit XML: a testsuite per file, a testcase per finding, failures at `--fail-on`.
    Junit,
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
    /// Output format.
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
}

/// Runs `shipcheck lint`.
pub(crate) fn run(args: LintArgs) -> anyhow::Result<i32> {
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
    let mut stdout = io::stdout().lock();
    let written = match args.format {
        Format::Human => render_human(&outcome.findings, outcome.files_scanned, &mut stdout),
        Format::Json => render_json(&outcome.findings, outcome.files_scanned, &mut stdout),
        Format::Sarif => render_sarif(&outcome.findings, &mut stdout),
        Format::Junit => render_junit(
            &outcome.findings,
            outcome.files_scanned,
            threshold,
            &mut stdout,
        ),
    }
    .and_then(|()| stdout.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(exit::OK),
        other => other?,
    }
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    Ok(if failed { exit::FAILED } else { exit::OK })
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
