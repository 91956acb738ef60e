//! `shipcheck load URL` and `shipcheck load merge FILE…`: a one-check plan with a `load`
//! check, built from the flags and run through the same runner and report as `verify`.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::commands::verify::{self, RunArgs};
use crate::exit;

/// Arguments of `shipcheck load`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct LoadArgs {
    /// `merge`: judge saved shard results instead of sending load.
    #[command(subcommand)]
    pub(crate) sub: Option<LoadSub>,
    /// The `http://` URL to load (loopback unless allowed with --allow-target).
    #[arg(required = true)]
    pub(crate) url: Option<String>,
    /// Closed model: this many connections, each sending when the previous answer arrives
    /// [default: 64; with --rate, the most requests in flight].
    #[arg(long, short = 'c', value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) connections: Option<u64>,
    /// Open model: requests per second (`200`, `200/s`, `12000/m`), latency measured from
    /// each request's intended start.
    #[arg(long, short = 'r', value_parser = parse_rate)]
    pub(crate) rate: Option<String>,
    /// Open model ramp: `DURATION:RATE` stages (repeatable), from 0 or --start-rate.
    #[arg(long = "stage", value_parser = parse_stage, conflicts_with = "rate")]
    pub(crate) stages: Vec<(String, String)>,
    /// The rate at the start of the --stage ramp.
    #[arg(long, requires = "stages", value_parser = parse_rate)]
    pub(crate) start_rate: Option<String>,
    /// How long to send [default: 10s].
    #[arg(long, short = 'd', value_parser = verify::parse_duration, conflicts_with = "stages")]
    pub(crate) duration: Option<Duration>,
    /// Stop after this many requests (over all shards).
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) requests: Option<u64>,
    /// HTTP method.
    #[arg(long, short = 'm', default_value = "GET")]
    pub(crate) method: String,
    /// A request header `NAME: VALUE` (repeatable).
    #[arg(long = "header", short = 'H', value_parser = parse_header)]
    pub(crate) headers: Vec<(String, String)>,
    /// The request body.
    #[arg(long)]
    pub(crate) body: Option<String>,
    /// Timeout of each request.
    #[arg(long, default_value = "10s", value_parser = verify::parse_duration)]
    pub(crate) request_timeout: Duration,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub(crate) threads: Option<u64>,
    /// Run slice INDEX of COUNT (`0/4`): its share of the rate, connections and requests.
    #[arg(long, value_parser = parse_shard)]
    pub(crate) shard: Option<String>,
    /// Allow loading this non-loopback host (repeatable).
    #[arg(long = "allow-target")]
    pub(crate) allow_targets: Vec<String>,
    /// Write the result (counts, HDR histogram, timeline) as JSON for `load merge`.
    #[arg(long)]
    pub(crate) save: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) judge: JudgeArgs,
}

/// `shipcheck load merge`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum LoadSub {
    /// Add up saved shard results (`--save` files) exactly and judge them.
    Merge(MergeArgs),
}

/// Arguments of `shipcheck load merge`.
#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// Saved results (`shipcheck load … --save FILE`), one per shard.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Write the merged result as JSON too.
    #[arg(long)]
    pub(crate) save: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) judge: JudgeArgs,
}

/// Expectations and report options shared by `load` and `load merge`.
#[derive(Debug, clap::Args)]
pub(crate) struct JudgeArgs {
    /// An expectation `KEY OP VALUE` (repeatable): KEY is p50, p90, p95, p99, p99_9, max,
    /// error_rate, rps, rate_achieved or requests; OP is <, <=, > or >=; e.g. `p95<250ms`,
    /// `error_rate<0.1%`, `rps>=1000`.
    #[arg(long, short = 'e', value_parser = parse_expect)]
    pub(crate) expect: Vec<(String, &'static str, String)>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

const KEYS: [&str; 10] = [
    "p50",
    "p90",
    "p95",
    "p99",
    "p99_9",
    "max",
    "error_rate",
    "rps",
    "rate_achieved",
    "requests",
];

fn parse_expect(s: &str) -> Result<(String, &'static str, String), String> {
    let ops = [
        ("<=", "at_most"),
        (">=", "at_least"),
        ("<", "under"),
        (">", "over"),
    ];
    let (at, op, pred) = ops
        .iter()
        .filter_map(|(op, pred)| s.find(op).map(|i| (i, *op, *pred)))
        .min_by_key(|(i, op, _)| (*i, usize::MAX - op.len()))
        .ok_or_else(|| format!("`{s}` has no comparison: write e.g. `p95<250ms` or `rps>=1000`"))?;
    let key = s[..at].trim().replace('.', "_");
    let value = s[at + op.len()..].trim().to_owned();
    if !KEYS.contains(&key.as_str()) {
        return Err(format!("unknown key `{key}`: one of {}", KEYS.join(", ")));
    }
    if value.is_empty() {
        return Err(format!("`{s}` has no value after `{op}`"));
    }
    Ok((key, pred, value))
}

fn parse_rate(s: &str) -> Result<String, String> {
    shipcheck_probe::kinds::load::parse_rate(s)
        .filter(|r| *r > 0.0)
        .map(|_| s.to_owned())
        .ok_or_else(|| format!("invalid rate `{s}` (e.g. 200/s, 12000/m, 200)"))
}

fn parse_stage(s: &str) -> Result<(String, String), String> {
    let (d, r) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not DURATION:RATE (e.g. 30s:200/s)"))?;
    verify::parse_duration(d)?;
    shipcheck_probe::kinds::load::parse_rate(r).ok_or_else(|| format!("invalid rate `{r}`"))?;
    Ok((d.to_owned(), r.to_owned()))
}

fn parse_shard(s: &str) -> Result<String, String> {
    shipcheck_probe::kinds::load::parse_shard(s).map(|_| s.to_owned())
}

fn parse_header(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| format!("`{s}` is not `NAME: VALUE`"))?;
    Ok((k.trim().to_owned(), v.trim().to_owned()))
}

/// Runs `shipcheck load`.
pub(crate) fn run(mut args: LoadArgs, global: crate::cli::GlobalArgs) -> anyhow::Result<i32> {
    args.judge.run.global = global;
    if let Some(LoadSub::Merge(mut m)) = args.sub.take() {
        m.judge.run.global = global;
        return merge(m);
    }
    let url = args.url.clone().unwrap_or_default();
    // Refused before anything else, with the reason, as a usage error.
    if let Err(e) = shipcheck_load::check_target(&url, &args.allow_targets) {
        eprintln!("error: {e}");
        return Ok(exit::USAGE);
    }
    let mut load = Map::new();
    load.insert("url".into(), json!(url));
    load.insert("method".into(), json!(args.method));
    if !args.headers.is_empty() {
        let h: Map<String, Value> = args
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        load.insert("headers".into(), Value::Object(h));
    }
    if let Some(b) = &args.body {
        load.insert("body".into(), json!(b));
    }
    if let Some(c) = args.connections {
        load.insert("connections".into(), json!(c));
    }
    if let Some(r) = &args.rate {
        load.insert("rate".into(), json!(r));
    }
    if !args.stages.is_empty() {
        let stages: Vec<Value> = args
            .stages
            .iter()
            .map(|(d, r)| json!({ "duration": d, "rate": r }))
            .collect();
        load.insert("stages".into(), Value::Array(stages));
        if let Some(s) = &args.start_rate {
            load.insert("start_rate".into(), json!(s));
        }
    }
    let duration = match (args.duration, args.requests, args.stages.is_empty()) {
        (Some(d), _, _) => Some(d),
        (None, Some(_), true) if args.rate.is_none() => None,
        (None, _, true) => Some(Duration::from_secs(10)),
        (None, _, false) => None,
    };
    if let Some(d) = duration {
        load.insert("duration".into(), json!(shipcheck_plan::format_duration(d)));
    }
    if let Some(n) = args.requests {
        load.insert("requests".into(), json!(n));
    }
    load.insert(
        "request_timeout".into(),
        json!(shipcheck_plan::format_duration(args.request_timeout)),
    );
    if let Some(t) = args.threads {
        load.insert("threads".into(), json!(t));
    }
    if let Some(s) = &args.shard {
        load.insert("shard".into(), json!(s));
    }
    if !args.allow_targets.is_empty() {
        load.insert("allow_targets".into(), json!(args.allow_targets));
    }
    if let Some(p) = &args.save {
        load.insert("save".into(), json!(p));
    }
    let sending = match duration {
        Some(d) => d,
        None if !args.stages.is_empty() => args
            .stages
            .iter()
            .filter_map(|(d, _)| shipcheck_plan::parse_duration(d))
            .sum(),
        None => args.judge.run.timeout,
    };
    let check_timeout =
        sending + args.request_timeout.min(Duration::from_secs(2)) + Duration::from_secs(5);
    let title = format!("{} {}", args.method.to_ascii_uppercase(), url);
    judge(
        &title,
        Value::Object(load),
        check_timeout,
        args.judge,
        "load",
    )
}

fn merge(mut m: MergeArgs) -> anyhow::Result<i32> {
    // The open model's implied `rate_achieved ≥ 99%` holds for merged open-model shards
    // too; the plan cannot know the model before reading the files, so it is written here.
    let open = m.files.first().and_then(|f| {
        let text = std::fs::read_to_string(f).ok()?;
        shipcheck_load::LoadResult::from_json(&text).ok()
    });
    if open.is_some_and(|r| r.model == "open")
        && !m.judge.expect.iter().any(|(k, _, _)| k == "rate_achieved")
    {
        m.judge
            .expect
            .push(("rate_achieved".into(), "at_least", "99%".into()));
    }
    let files: Vec<Value> = m
        .files
        .iter()
        .map(|f| json!(std::path::absolute(f).unwrap_or_else(|_| f.clone())))
        .collect();
    let title = format!("{} merged results", files.len());
    let mut load = Map::new();
    load.insert("merge".into(), Value::Array(files));
    if let Some(p) = &m.save {
        load.insert("save".into(), json!(p));
    }
    judge(
        &title,
        Value::Object(load),
        Duration::from_secs(60),
        m.judge,
        "load merge",
    )
}

/// Builds the one-check plan, runs it like `verify` (progress on a terminal from the load
/// generator's live totals instead of the check list) and emits the report.
fn judge(
    title: &str,
    load: Value,
    check_timeout: Duration,
    mut judge: JudgeArgs,
    command: &str,
) -> anyhow::Result<i32> {
    let mut expect = Map::new();
    for (key, pred, value) in &judge.expect {
        let entry = expect.entry(key.clone()).or_insert_with(|| json!({}));
        if let Value::Object(preds) = entry {
            preds.insert((*pred).to_owned(), json!(value));
        }
    }
    let mut check = json!({
        "id": "load",
        "title": title,
        "timeout": shipcheck_plan::format_duration(check_timeout),
        "load": load,
    });
    if !expect.is_empty() {
        check["expect"] = Value::Object(expect);
    }
    let plan_json = json!({ "name": format!("shipcheck {command}"), "checks": [check] });
    let src = serde_json::to_string_pretty(&plan_json)?;
    let plan = match shipcheck_plan::load_str(
        &src,
        Path::new("shipcheck-load.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    ) {
        Ok(p) => p,
        Err(errors) => {
            eprintln!("error: the load settings do not make a valid check:\n{errors}");
            return Ok(exit::USAGE);
        }
    };
    judge.run.timeout = judge
        .run
        .timeout
        .max(check_timeout + Duration::from_secs(5));
    let show = !judge.run.global.quiet && std::io::stderr().is_terminal();
    let mut quiet = judge.run.clone();
    quiet.global.quiet = true;
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = show.then(|| progress(Arc::clone(&stop)));
    let report = verify::run_plan(&plan, &quiet, command);
    stop.store(true, Ordering::Relaxed);
    if let Some(t) = ticker {
        let _ = t.join();
    }
    verify::emit(&report?, &judge.run)
}

/// The live line on standard error (5 Hz, read from the generator's totals; nothing on
/// the workers' path), cleared at the end.
fn progress(stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut last = (0u64, 0.0f64);
        let mut shown = false;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            let t = shipcheck_load::live_totals();
            if t.runs == 0 {
                continue;
            }
            let rate = if t.elapsed_s > last.1 {
                (t.requests.saturating_sub(last.0)) as f64 / (t.elapsed_s - last.1)
            } else {
                0.0
            };
            last = (t.requests, t.elapsed_s);
            let of = if t.planned_s > 0.0 && t.planned_s < 86_400.0 {
                format!("/{:.0}s", t.planned_s)
            } else {
                String::new()
            };
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[Kload: {:.1}s{of}  {} requests  {:.0} req/s  {} failed",
                t.elapsed_s, t.requests, rate, t.failed
            );
            let _ = err.flush();
            shown = true;
        }
        if shown {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    })
}
