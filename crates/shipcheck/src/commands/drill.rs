//! `shipcheck drill --probe URL -- COMMAND…`: a one-check plan with a `drill` check, run
//! through the same plan, runner and report path as `verify`.

use std::path::PathBuf;
use std::time::Duration;

use crate::commands::verify::{RunArgs, emit, parse_duration, run_plan};
use crate::exit;

/// Arguments of `shipcheck drill`.
#[derive(Debug, clap::Args)]
pub(crate) struct DrillArgs {
    /// What to probe: an http(s) URL (up on a 2xx answer) or tcp://HOST:PORT (up when it
    /// connects).
    #[arg(long)]
    pub(crate) probe: String,
    /// Probe interval.
    #[arg(long, default_value = "100ms", value_parser = parse_duration)]
    pub(crate) every: Duration,
    /// Probing before the command starts.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub(crate) baseline: Duration,
    /// Probing after the command ends.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub(crate) settle: Duration,
    /// Bound on each probe.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub(crate) probe_timeout: Duration,
    /// Keep the connection between probes instead of a new one per probe.
    #[arg(long)]
    pub(crate) reuse: bool,
    /// The response header that names the version that answered (e.g. x-version).
    #[arg(long)]
    pub(crate) version_header: Option<String>,
    /// Fail the drill when the downtime is longer than this (e.g. 0s, 500ms).
    #[arg(long, value_parser = parse_duration)]
    pub(crate) max_downtime: Option<Duration>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
    /// The command whose disruption is measured (after `--`), run without a shell.
    #[arg(last = true, required = true, num_args = 1..)]
    pub(crate) command: Vec<String>,
}

fn ms(d: Duration) -> String {
    format!("{}ms", d.as_millis())
}

/// The plan: every value the user typed comes in through `${…}` (from `vars`), so no
/// quoting, `${…}` or `{{ }}` in it is read as plan syntax.
fn plan_text(args: &DrillArgs) -> (String, Vec<(String, String)>) {
    let mut vars = vec![("SHIPCHECK_DRILL_PROBE".to_owned(), args.probe.clone())];
    let mut argv = Vec::new();
    for (i, a) in args.command.iter().enumerate() {
        let name = format!("SHIPCHECK_DRILL_ARG_{i}");
        argv.push(format!("\"${{{name}}}\""));
        vars.push((name, a.clone()));
    }
    // The check's timeout is the run's, less a margin for writing the report.
    let timeout = args.run.timeout.saturating_sub(Duration::from_secs(1));
    let mut drill = format!(
        "      probe: \"${{SHIPCHECK_DRILL_PROBE}}\"\n      every: {}\n      baseline: {}\n      settle: {}\n      probe_timeout: {}\n      reuse: {}\n      run: [{}]\n",
        ms(args.every),
        ms(args.baseline),
        ms(args.settle),
        ms(args.probe_timeout),
        args.reuse,
        argv.join(", ")
    );
    if let Some(h) = &args.version_header {
        vars.push(("SHIPCHECK_DRILL_VERSION".into(), h.clone()));
        drill.push_str("      version: { header: \"${SHIPCHECK_DRILL_VERSION}\" }\n");
    }
    let expect = args
        .max_downtime
        .map(|d| format!("    expect: {{ downtime: {{ at_most: {} }} }}\n", ms(d)))
        .unwrap_or_default();
    (
        format!(
            "name: drill\nchecks:\n  - id: drill\n    title: drill of `{}`\n    timeout: {}\n    drill:\n{drill}{expect}",
            args.command
                .join(" ")
                .replace(['`', '\n', '"', '\\', '$', '{', '}'], " "),
            ms(timeout)
        ),
        vars,
    )
}

/// Runs `shipcheck drill`.
pub(crate) fn run(args: DrillArgs) -> anyhow::Result<i32> {
    let (text, vars) = plan_text(&args);
    let env = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let path = PathBuf::from("drill.yaml");
    let plan = match shipcheck_plan::load_str(&text, &path, &env, shipcheck_probe::KINDS) {
        Ok(p) => p,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(exit::USAGE);
        }
    };
    let report = run_plan(&plan, &args.run, "drill")?;
    emit(&report, &args.run)
}
