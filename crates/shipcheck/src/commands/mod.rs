//! One module per subcommand; each returns the process exit code.

pub(crate) mod bundle;
pub(crate) mod completions;
pub(crate) mod demo;
pub(crate) mod diff;
pub(crate) mod drill;
pub(crate) mod lint;
pub(crate) mod load;
pub(crate) mod report;
pub(crate) mod rules;
pub(crate) mod schema;
pub(crate) mod verify;
pub(crate) mod watch;
mod watch_metrics;

use crate::cli::{Cli, Command};

/// Runs the parsed command and returns its exit code.
pub(crate) fn run(cli: Cli) -> anyhow::Result<i32> {
    let global = cli.global;
    match cli.command {
        Command::Verify(mut args) => {
            args.run.global = global;
            verify::run(args)
        }
        Command::Report(args) => report::run(args, global),
        Command::Demo(mut args) => {
            args.run.global = global;
            demo::run(args)
        }
        Command::Watch(mut args) => {
            args.run.global = global;
            watch::run(args)
        }
        Command::Drill(mut args) => {
            args.run.global = global;
            drill::run(args)
        }
        Command::Lint(args) => lint::run(args, global),
        Command::Load(args) => load::run(*args, global),
        Command::Rules(args) => rules::run(args),
        Command::Completions(args) => completions::run(&args),
        Command::Diff(args) => diff::run(args, global),
        Command::Bundle(args) => bundle::run(&args),
        Command::Schema(args) => schema::run(&args),
    }
}
