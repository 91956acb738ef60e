//! Command-line arguments (clap). Arguments are parsed here and handed to `commands`.

use clap::{Parser, Subcommand};

use crate::commands::{lint::LintArgs, rules::RulesArgs};

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
    /// Lint Kubernetes manifests, compose files, Dockerfiles and .env templates.
    Lint(LintArgs),
    /// List lint rules, or explain one.
    Rules(RulesArgs),
}
