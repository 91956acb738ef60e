//! `shipcheck completions SHELL`: a completion script generated from the clap definition.

use clap::CommandFactory as _;

use crate::exit;

/// Arguments of `shipcheck completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh or fish.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Shell {
    /// `source <(shipcheck completions bash)`
    Bash,
    /// Save as `_shipcheck` in a directory on `$fpath`.
    Zsh,
    /// Save as `~/.config/fish/completions/shipcheck.fish`.
    Fish,
}

/// Runs `shipcheck completions`.
pub(crate) fn run(args: &CompletionsArgs) -> anyhow::Result<i32> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(
        shell,
        &mut crate::cli::Cli::command(),
        "shipcheck",
        &mut script,
    );
    exit::write_stdout(&script)?;
    Ok(exit::OK)
}
