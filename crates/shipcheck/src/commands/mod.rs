//! One module per subcommand; each returns the process exit code.

pub(crate) mod demo;
pub(crate) mod lint;
pub(crate) mod report;
pub(crate) mod rules;
pub(crate) mod verify;

use crate::cli::{Cli, Command};

/// Runs the parsed command and returns its exit code.
pub(crate) fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Verify(args) => verify::run(args),
        Command::Report(args) => report::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
    }
}
