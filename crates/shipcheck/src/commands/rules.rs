//! `shipcheck rules` (being built; see issue 3).

/// Arguments of `shipcheck rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// A rule ID to explain.
    pub(crate) id: Option<String>,
}

/// Runs `shipcheck rules`.
pub(crate) fn run(_args: RulesArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`shipcheck rules` is not available yet")
}
