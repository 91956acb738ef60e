//! One module per subcommand; each returns the process exit code.

use crate::cli::{Cli, Command};

/// Runs the parsed command and returns its exit code.
pub(crate) fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {}
}
