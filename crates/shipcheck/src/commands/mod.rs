//! One module per subcommand; each returns the process exit code.

pub(crate) mod lint;
pub(crate) mod rules;

use crate::cli::{Cli, Command};

/// Runs the parsed command and returns its exit code.
pub(crate) fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
    }
}
