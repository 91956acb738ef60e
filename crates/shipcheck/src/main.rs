//! The `shipcheck` command-line tool.

mod bundle;
mod ci;
mod cli;
mod commands;
mod exit;
mod files;
mod progress;

use clap::Parser as _;

/// When this process started: the clock of `verify --timeout`.
static STARTED: std::sync::LazyLock<std::time::Instant> =
    std::sync::LazyLock::new(std::time::Instant::now);

/// When this process started (the first call, early in `main`, fixes it).
pub(crate) fn started() -> std::time::Instant {
    *STARTED
}

fn main() {
    started();
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) if exit::is_broken_pipe(&err) => exit::OK,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::INTERNAL
        }
    };
    std::process::exit(code);
}
