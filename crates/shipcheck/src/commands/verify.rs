//! `shipcheck verify PLAN`: load the plan, run it, write the report.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use shipcheck_plan::Plan;
use shipcheck_render::{DetailLevel, Format, RenderConfig};
use shipcheck_report::{PlanInfo, Report, RunInfo};
use shipcheck_runner::{Cancel, RunEventKind, RunOptions};

use crate::cli::GlobalArgs;
use crate::exit::{self, Stdout};

/// Arguments of `shipcheck verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// The plan file (YAML).
    pub(crate) plan: PathBuf,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// Options shared by `verify` and `demo`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RunArgs {
    /// Write report.md, report.json and junit.xml into this directory (default
    /// `shipcheck-report`; `-` writes no files).
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
    /// Write no report files (the same as `--output -`).
    #[arg(long, conflicts_with = "output")]
    pub(crate) no_report: bool,
    /// Also write an evidence bundle: the report files, every check's redacted evidence
    /// and a SHA-256 manifest in one .tar.gz (check it with `shipcheck bundle verify`).
    #[arg(long, value_name = "OUT.tar.gz")]
    pub(crate) bundle: Option<PathBuf>,
    /// Format printed on standard output: terminal, md, json, junit, sarif, github or gitlab.
    #[arg(long, default_value = "terminal", value_parser = parse_format)]
    pub(crate) format: Format,
    /// At most this many checks run at once [default: the plan's `defaults.concurrency`, else 8].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) concurrency: Option<u16>,
    /// Bound on the whole run, report included (e.g. 90s, 10m): checks still running a
    /// tenth of it before the end (0.2-2 s) are stopped, to leave time for the report.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub(crate) timeout: Duration,
    /// Exit 1 on ready-with-caveats too.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Run only these checks (comma-separated ids); the others are reported skipped.
    #[arg(long, value_delimiter = ',')]
    pub(crate) only: Vec<String>,
    /// Skip these checks (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub(crate) skip: Vec<String>,
    /// Which checks get a details section in report.md and report.html: failed (those that
    /// did not pass), all (passed ones collapsed), none.
    #[arg(long, default_value = "failed", value_parser = parse_details)]
    pub(crate) details: DetailLevel,
    /// `--color`, `-q`, `-v` (global options, filled in by the command dispatcher).
    #[arg(skip)]
    pub(crate) global: GlobalArgs,
}

/// Where `verify` and `demo` write their report files when `--output` is not given.
pub(crate) const DEFAULT_REPORT_DIR: &str = "shipcheck-report";

impl RunArgs {
    /// The directory the report files go to, or `None` for `--no-report` / `--output -`.
    pub(crate) fn report_dir(&self) -> Option<PathBuf> {
        match &self.output {
            _ if self.no_report => None,
            Some(dir) if dir.as_os_str() == "-" => None,
            Some(dir) => Some(dir.clone()),
            None => Some(PathBuf::from(DEFAULT_REPORT_DIR)),
        }
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

/// `--details all|failed|none`.
pub(crate) fn parse_details(s: &str) -> Result<DetailLevel, String> {
    s.parse()
}

pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    shipcheck_plan::parse_duration(s)
        .ok_or_else(|| format!("invalid duration `{s}` (e.g. 500ms, 30s, 10m)"))
}

/// Loads a plan with the process environment; on errors prints them (with code frames)
/// and gives the exit code.
pub(crate) fn load_plan(path: &Path) -> Result<Plan, i32> {
    let env = |name: &str| std::env::var(name).ok();
    shipcheck_plan::load_file(path, &env, shipcheck_probe::KINDS).map_err(|errors| {
        eprintln!("{errors}");
        exit::USAGE
    })
}

/// Runs `shipcheck verify`.
pub(crate) fn run(args: VerifyArgs) -> anyhow::Result<i32> {
    let plan = match load_plan(&args.plan) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let report = run_plan(&plan, &args.run, "verify")?;
    emit(&report, &args.run)
}

/// Runs a loaded plan on a fresh runtime, with Ctrl-C handling and progress output.
pub(crate) fn run_plan(plan: &Plan, args: &RunArgs, command: &str) -> anyhow::Result<Report> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_plan_async(plan, args, command, Some(crate::started())))
}

/// The part of `--timeout` kept for teardown and writing the report after the checks are
/// stopped: a tenth of it, at least 200 ms and at most 2 s.
fn wind_up(timeout: Duration) -> Duration {
    (timeout / 10).clamp(Duration::from_millis(200), Duration::from_secs(2))
}

/// The async body of [`run_plan`], for callers that already have a runtime (the demo,
/// `watch`); `--timeout` counts from `clock` (default: now).
pub(crate) async fn run_plan_async(
    plan: &Plan,
    args: &RunArgs,
    command: &str,
    clock: Option<std::time::Instant>,
) -> anyhow::Result<Report> {
    let started = SystemTime::now();
    let cancel = Cancel::default();
    let on_signal = cancel.clone();
    let signal = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel("interrupted by Ctrl-C");
        }
    });
    let opts = RunOptions {
        concurrency: args.concurrency.map(usize::from),
        timeout: args.timeout,
        started: clock,
        wind_up: wind_up(args.timeout),
        only: args.only.clone(),
        skip: args.skip.clone(),
        ..RunOptions::default()
    };
    let progress = !args.global.quiet && std::io::stderr().is_terminal();
    let color = progress && args.global.stderr_color();
    let live = crate::progress::Live::default();
    // The in-flight status line (checks running for over a second), on a terminal only.
    let ticker = progress.then(|| {
        let live = live.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(500));
            loop {
                every.tick().await;
                live.tick();
            }
        })
    });
    let outcome = shipcheck_runner::execute(plan, &opts, &cancel, |ev| {
        if !progress {
            return;
        }
        match ev.kind {
            RunEventKind::CheckStarted { id } => live.started(&id),
            RunEventKind::CheckFinished(r) => {
                live.finished(&r.id, &shipcheck_render::progress_line(&r, color));
            }
            RunEventKind::CheckRetrying { id, attempt, note } => {
                live.println(&shipcheck_render::retry_line(&id, attempt, &note));
            }
            RunEventKind::PlanCancelled { reason } => {
                live.println(&format!("! run interrupted: {reason}"));
            }
            _ => {}
        }
    })
    .await;
    if let Some(ticker) = ticker {
        ticker.abort();
        live.tick();
    }
    signal.abort();
    let run = RunInfo {
        tool: "shipcheck".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        command: command.into(),
        plan: Some(PlanInfo {
            name: plan.name.clone(),
            path: plan.path.display().to_string(),
        }),
        environment: plan.environment.clone(),
        started_at: humantime::format_rfc3339_seconds(started).to_string(),
        duration_ms: outcome.duration.as_secs_f64() * 1000.0,
        host: hostname(),
        subject: shipcheck_report::Subject {
            release: plan.release.clone(),
            version: plan.version.clone(),
            commit: plan.commit.clone(),
        },
        interrupted: outcome.interrupted.is_some(),
        interrupt_reason: outcome.interrupted.clone(),
    };
    // Findings of `lint:` checks carry their rules' metadata, so `report run.json --format
    // sarif` has rule help like `lint --format sarif`.
    let rules = shipcheck_lint::rule_infos(&outcome.findings);
    let report = Report::new(run, outcome.checks, outcome.findings).with_rules(rules);
    // Everything that leaves the process goes through the redactor once more.
    Ok(outcome.redactor.redact(&report))
}

/// Files `--output DIR` writes for `verify` and `demo`.
const RUN_FILES: [(&str, Format); 4] = [
    ("report.md", Format::Markdown),
    ("report.html", Format::Html),
    ("report.json", Format::Json),
    ("junit.xml", Format::Junit),
];

/// Writes the report files (when asked) and prints the chosen format; returns the exit
/// code. Standard output is printed even when the files cannot be written (exit 2, naming
/// the path); a closed stdout pipe is exit 0.
pub(crate) fn emit(report: &Report, args: &RunArgs) -> anyhow::Result<i32> {
    let dir = args.report_dir();
    let written = match &dir {
        Some(dir) => write_files(report, dir, &RUN_FILES, args.details),
        None => Ok(()),
    }
    .and_then(|()| match &args.bundle {
        Some(path) => crate::bundle::write(path, report, &RUN_FILES),
        None => Ok(()),
    });
    crate::ci::append_step_summary(report);
    let (ascii, width) = crate::cli::stdout_layout();
    let cfg = RenderConfig {
        color: args.format == Format::Terminal && args.global.stdout_color(),
        verbose: args.global.verbose,
        ascii,
        width,
        details: args.details,
    };
    let text = shipcheck_render::render_to_string(args.format, report, &cfg)
        .context("rendering the report")?;
    let stdout = exit::write_stdout(text.as_bytes()).context("writing the report to stdout")?;
    if let Err(e) = written {
        eprintln!("error: {e:#}");
        return Ok(exit::USAGE);
    }
    if let Some(dir) = dir.as_ref().filter(|_| !args.global.quiet) {
        eprintln!(
            "report written to {} (report.md, report.html, report.json, junit.xml{})",
            dir.display(),
            if report.checks.iter().any(|c| !c.attachments.is_empty()) {
                ", attachments/"
            } else {
                ""
            }
        );
    }
    Ok(match stdout {
        Stdout::Closed => exit::OK,
        Stdout::Written => report.exit_code(args.strict),
    })
}

/// Renders `report` into each `(file name, format)` of `files` in `dir`, replacing each
/// file atomically (a symlink planted at a destination is replaced, never followed).
pub(crate) fn write_files(
    report: &Report,
    dir: &Path,
    files: &[(&str, Format)],
    details: DetailLevel,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let cfg = RenderConfig {
        details,
        ..RenderConfig::default()
    };
    for (name, format) in files {
        let text = shipcheck_render::render_to_string(*format, report, &cfg)
            .with_context(|| format!("rendering {name}"))?;
        crate::files::write_atomic(dir, name, text.as_bytes())?;
    }
    write_attachments(report, dir)
}

/// Writes the files the report's checks attached (screenshots) under `dir/attachments/`,
/// where the reports link them; only plain paths under `attachments/` are written.
fn write_attachments(report: &Report, dir: &Path) -> anyhow::Result<()> {
    for a in report.checks.iter().flat_map(|c| &c.attachments) {
        let (Some(data), Some(name)) = (a.data(), a.path.strip_prefix("attachments/")) else {
            continue;
        };
        if !a.has_safe_path() {
            continue;
        }
        let sub = dir.join("attachments");
        std::fs::create_dir_all(&sub)
            .with_context(|| format!("cannot create output directory {}", sub.display()))?;
        crate::files::write_atomic(&sub, name, &data)?;
    }
    Ok(())
}

/// The name of this machine, for the report's run metadata.
pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".into())
}
