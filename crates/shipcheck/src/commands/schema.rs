//! `shipcheck schema plan|report|config`: print a JSON Schema on standard output.

use anyhow::Context as _;

use crate::exit;

/// Which schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Which {
    /// The plan file (`shipcheck verify PLAN.yaml`), from the loader and every probe kind.
    Plan,
    /// `report.json`, from the report model.
    Report,
    /// `.shipcheck.yaml`, from the lint config loader and the rule registry.
    Config,
}

/// Arguments of `shipcheck schema`.
#[derive(Debug, clap::Args)]
pub(crate) struct SchemaArgs {
    /// The schema to print.
    #[arg(value_enum)]
    pub(crate) which: Which,
}

/// Runs `shipcheck schema`.
pub(crate) fn run(args: &SchemaArgs) -> anyhow::Result<i32> {
    let schema = match args.which {
        Which::Plan => shipcheck_plan::plan_schema(shipcheck_probe::KINDS),
        Which::Report => shipcheck_report::report_schema(),
        Which::Config => shipcheck_lint::config_schema(),
    };
    let mut text = serde_json::to_string_pretty(&schema).context("serialising the schema")?;
    text.push('\n');
    exit::write_stdout(text.as_bytes()).context("writing the schema to stdout")?;
    Ok(exit::OK)
}
