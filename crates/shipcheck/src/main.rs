//! The `shipcheck` command-line tool.

mod bundle;
mod ci;
mod cli;
mod commands;
mod exit;
mod files;
mod progress;

use clap::Parser as _;

fn main() {
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
