//! Command-line arguments (clap). Arguments are parsed here and handed to `commands`.

use std::io::IsTerminal as _;

use clap::{Parser, Subcommand};

use crate::commands::{
    bundle::BundleArgs, completions::CompletionsArgs, demo::DemoArgs, diff::DiffArgs,
    drill::DrillArgs, lint::LintArgs, load::LoadArgs, report::ReportArgs, rules::RulesArgs,
    schema::SchemaArgs, verify::VerifyArgs, watch::WatchArgs,
};

/// Tells a team, with evidence, whether a deployment is ready for production.
#[derive(Debug, Parser)]
#[command(name = "shipcheck", version, about)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes (`--color`, `-q`, `-v`), before or after the command name.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub(crate) struct GlobalArgs {
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub(crate) color: ColorChoice,
    /// Quiet: no progress or notes on standard error, only the result.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Verbose: details of passed checks too.
    #[arg(long, short, global = true)]
    pub(crate) verbose: bool,
}

/// `--color`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always colour (even into a pipe; overrides `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

impl GlobalArgs {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub(crate) fn color_for(self, is_terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }

    /// Colour for standard output.
    pub(crate) fn stdout_color(self) -> bool {
        self.color_for(std::io::stdout().is_terminal())
    }

    /// Colour for standard error (progress lines).
    pub(crate) fn stderr_color(self) -> bool {
        self.color_for(std::io::stderr().is_terminal())
    }
}

/// How terminal output fits where it goes: the terminal's width, or plain ASCII for pipes
/// and files.
pub(crate) fn stdout_layout() -> (bool, Option<u16>) {
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return (true, None);
    }
    let width = terminal_size::terminal_size_of(&stdout).map(|(w, _)| w.0);
    (false, width)
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a plan of live checks against a deployed system and write the report.
    Verify(VerifyArgs),
    /// Re-render a saved run (report.json of verify, demo or lint) as Markdown, JSON, JUnit,
    /// SARIF or terminal text.
    Report(ReportArgs),
    /// Start the built-in demo service and verify it with the bundled plan.
    Demo(DemoArgs),
    /// Run a plan again and again and serve its results to Prometheus (/metrics).
    Watch(WatchArgs),
    /// Measure the downtime a command causes: probe a URL before, during and after it.
    Drill(DrillArgs),
    /// Lint Kubernetes manifests, compose files, Dockerfiles and .env templates.
    Lint(LintArgs),
    /// List lint rules, or explain one.
    Rules(RulesArgs),
    /// Send HTTP load with latency budgets (closed or open model, shards), or merge shards.
    Load(Box<LoadArgs>),
    /// Print a shell completion script (bash, zsh or fish) on standard output.
    Completions(CompletionsArgs),
    /// Compare two saved runs: status changes, new and fixed findings, regressions.
    Diff(DiffArgs),
    /// Check an evidence bundle (`--bundle out.tar.gz`) against its SHA-256 manifest.
    Bundle(BundleArgs),
    /// Print the JSON Schema of the plan, report.json or .shipcheck.yaml.
    Schema(SchemaArgs),
}
