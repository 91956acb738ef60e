//! `shipcheck lint` (being built; see issue 3).

/// Arguments of `shipcheck lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct LintArgs {
    /// Files or directories to lint; `-` reads stdin.
    pub(crate) paths: Vec<String>,
}

/// Runs `shipcheck lint`.
pub(crate) fn run(_args: LintArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`shipcheck lint` is not available yet")
}
