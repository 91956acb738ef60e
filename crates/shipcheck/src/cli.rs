//! Command-line arguments (clap). Arguments are parsed here and handed to `commands`.

use clap::{Parser, Subcommand};

use crate::commands::{
    demo::DemoArgs, lint::LintArgs, report::ReportArgs, rules::RulesArgs, verify::VerifyArgs,
};

/// Tells a team, with evidence, whether a deployment is ready for production.
#[derive(Debug, Parser)]
#[command(name = "shipcheck", version, about)]
pub(crate) struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub(crate) command: Command,
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
    /// Lint Kubernetes manifests, compose files, Dockerfiles and .env templates.
    Lint(LintArgs),
    /// List lint rules, or explain one.
    Rules(RulesArgs),
}
