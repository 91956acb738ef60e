//! The `load:` plan key: the target, the model (connections or a rate with optional
//! ramp stages), the bounds, and where results are saved or merged from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_load::{Schedule, Shard, Stage};
use shipcheck_plan::syntax::{Ctx, Kind, Node, get, pairs, resolve, shown};

/// Default connections (closed model: the concurrency; open model: the most in flight).
pub(crate) const DEFAULT_CONNECTIONS: u64 = 64;
/// Default run length.
pub(crate) const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Default timeout of one request.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

const KEYS: &[&str] = &[
    "url",
    "method",
    "headers",
    "body",
    "connections",
    "rate",
    "start_rate",
    "stages",
    "duration",
    "requests",
    "request_timeout",
    "threads",
    "shard",
    "allow_targets",
    "save",
    "merge",
];

/// How the check gets its results.
#[derive(Debug, Clone)]
pub enum Source {
    /// Generate load.
    Run(Box<RunSpec>),
    /// Judge saved shard results (`merge: [FILE…]`), added up.
    Merge(Vec<PathBuf>),
}

/// A load to generate.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// URL template.
    pub url: String,
    /// HTTP method.
    pub method: String,
    /// Header templates.
    pub headers: Vec<(String, String)>,
    /// Body template.
    pub body: Option<String>,
    /// Connections over all shards.
    pub connections: u64,
    /// Open model: the schedule; `None` for the closed model.
    pub schedule: Option<Schedule>,
    /// Closed model: how long (the open model's is the schedule's).
    pub duration: Option<Duration>,
    /// At most this many requests over all shards.
    pub requests: Option<u64>,
    /// Timeout of each request.
    pub request_timeout: Duration,
    /// Worker threads (0: one per core).
    pub threads: u64,
    /// This run's shard.
    pub shard: Shard,
    /// Hosts that may be loaded besides loopback.
    pub allow_targets: Vec<String>,
}

/// A parsed `load:` check.
#[derive(Debug, Clone)]
pub struct LoadProbe {
    /// Generate or merge.
    pub source: Source,
    /// Write the (shard) result as JSON here, for `shipcheck load merge`.
    pub save: Option<PathBuf>,
}

impl LoadProbe {
    /// Whether this is an open-model run (merged results: decided by the files).
    pub fn open_model(&self) -> Option<bool> {
        match &self.source {
            Source::Run(r) => Some(r.schedule.is_some()),
            Source::Merge(_) => None,
        }
    }
}

/// `load: URL` or `load: { url, … }` / `load: { merge: [FILE…] }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<LoadProbe> {
    let entries: &[(Node, Node)] = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, "a load check");
            entries
        }
        Kind::Str(_) => &[],
        _ => {
            ctx.expected(n, "load", "a URL or a mapping with `url`");
            return None;
        }
    };
    let save = match get(entries, "save") {
        Some(s) => Some(resolve(base_dir, &ctx.text(s, "save")?)),
        None => None,
    };
    if let Some(m) = get(entries, "merge") {
        if let Some((k, _)) = entries
            .iter()
            .find(|(k, _)| !matches!(&k.kind, Kind::Str(s) if s == "merge" || s == "save"))
        {
            ctx.error(
                k.span,
                "a load check that merges saved results sends no load",
                "remove this key or `merge`",
            );
            return None;
        }
        let items = ctx.seq(m, "merge")?;
        if items.is_empty() {
            ctx.error(m.span, "`merge` needs at least one file", "empty list");
            return None;
        }
        let files: Vec<PathBuf> = items
            .iter()
            .filter_map(|i| ctx.text(i, "merge").map(|t| resolve(base_dir, &t)))
            .collect();
        return (files.len() == items.len()).then_some(LoadProbe {
            source: Source::Merge(files),
            save,
        });
    }
    let url = match (&n.kind, get(entries, "url")) {
        (Kind::Str(_), _) => ctx.template(n, "load")?,
        (_, Some(u)) => ctx.template(u, "url")?,
        (_, None) => {
            ctx.error_help(
                n.span,
                "the load check has no `url`",
                "missing `url:`",
                "write `url: http://127.0.0.1:8080/`, or `merge: [shard-0.json, …]` to judge saved shards",
            );
            return None;
        }
    };
    let method = match get(entries, "method") {
        Some(m) => ctx.text(m, "method")?.to_ascii_uppercase(),
        None => "GET".into(),
    };
    let headers = get(entries, "headers")
        .map(|h| pairs(ctx, h, "headers", true))
        .unwrap_or_default();
    let body = match get(entries, "body") {
        Some(b) => Some(ctx.template(b, "body")?),
        None => None,
    };
    let connections = match get(entries, "connections") {
        Some(c) => positive(ctx, c, "connections", shipcheck_load::MAX_CONNECTIONS as u64)?,
        None => DEFAULT_CONNECTIONS,
    };
    let duration = match get(entries, "duration") {
        Some(d) => Some(ctx.duration(d, "duration")?),
        None => None,
    };
    let requests = match get(entries, "requests") {
        Some(r) => Some(positive(ctx, r, "requests", 10_000_000_000)?),
        None => None,
    };
    let schedule = schedule(ctx, entries, duration)?;
    let duration = match (&schedule, duration, requests) {
        (Some(_), _, _) => None,
        (None, Some(d), _) => Some(d),
        (None, None, Some(_)) => None,
        (None, None, None) => Some(DEFAULT_DURATION),
    };
    let request_timeout = match get(entries, "request_timeout") {
        Some(t) => ctx.duration(t, "request_timeout")?,
        None => DEFAULT_TIMEOUT,
    };
    let threads = match get(entries, "threads") {
        Some(t) => ctx.uint(t, "threads", 256)?,
        None => 0,
    };
    let shard = match get(entries, "shard") {
        Some(s) => {
            let text = ctx.text(s, "shard")?;
            match parse_shard(&text) {
                Ok(shard) => shard,
                Err(why) => {
                    ctx.error_help(s.span, format!("invalid shard `{text}`"), why, "write `INDEX/COUNT`, e.g. `0/4` for the first of four");
                    return None;
                }
            }
        }
        None => Shard::default(),
    };
    let allow_targets = match get(entries, "allow_targets") {
        Some(a) => {
            let items = ctx.seq(a, "allow_targets")?;
            items.iter().filter_map(|i| ctx.text(i, "allow_targets")).collect()
        }
        None => Vec::new(),
    };
    Some(LoadProbe {
        source: Source::Run(Box::new(RunSpec {
            url,
            method,
            headers,
            body,
            connections,
            schedule,
            duration,
            requests,
            request_timeout,
            threads,
            shard,
            allow_targets,
        })),
        save,
    })
}

fn positive(ctx: &mut Ctx<'_>, n: &Node, what: &str, max: u64) -> Option<u64> {
    let v = ctx.uint(n, what, max)?;
    if v == 0 {
        ctx.error(n.span, format!("`{what}` must be at least 1"), "zero");
        return None;
    }
    Some(v)
}

/// `rate` (with `duration`) or `stages` (with an optional `start_rate`): the open model.
fn schedule(
    ctx: &mut Ctx<'_>,
    entries: &[(Node, Node)],
    duration: Option<Duration>,
) -> Option<Option<Schedule>> {
    let rate = get(entries, "rate");
    let stages = get(entries, "stages");
    match (rate, stages) {
        (None, None) => {
            if let Some(s) = get(entries, "start_rate") {
                ctx.error(s.span, "`start_rate` goes with `stages`", "no stages");
                return None;
            }
            Some(None)
        }
        (Some(r), None) => {
            let rate = rate_value(ctx, r, "rate")?;
            Some(Some(Schedule::constant(rate, duration.unwrap_or(DEFAULT_DURATION))))
        }
        (Some(r), Some(_)) => {
            ctx.error_help(r.span, "`rate` and `stages` together", "one or the other", "a constant rate is `rate: 200/s`; a ramp is `stages: [{ duration: 30s, rate: 200/s }, …]`");
            None
        }
        (None, Some(s)) => {
            if let Some(d) = get(entries, "duration") {
                ctx.error(d.span, "with `stages`, the run lasts as long as its stages", "remove `duration`");
                return None;
            }
            let start_rate = match get(entries, "start_rate") {
                Some(r) => rate_value(ctx, r, "start_rate")?,
                None => 0.0,
            };
            let items = ctx.seq(s, "stages")?;
            if items.is_empty() {
                ctx.error(s.span, "`stages` needs at least one stage", "empty list");
                return None;
            }
            let mut out = Vec::new();
            for item in items {
                let e = ctx.map(item, "stage")?;
                ctx.keys(e, &["duration", "rate"], "a stage");
                let (Some(d), Some(r)) = (get(e, "duration"), get(e, "rate")) else {
                    ctx.error(item.span, "a stage needs `duration` and `rate`", "e.g. `{ duration: 30s, rate: 200/s }`");
                    return None;
                };
                out.push(Stage {
                    duration: ctx.duration(d, "duration")?,
                    rate: rate_value(ctx, r, "rate")?,
                });
            }
            let schedule = Schedule { start_rate, stages: out };
            if schedule.peak_rate() <= 0.0 {
                ctx.error(s.span, "every stage has a rate of 0", "nothing would be sent");
                return None;
            }
            Some(Some(schedule))
        }
    }
}

/// `200`, `200/s`, `12000/m` → requests per second.
fn rate_value(ctx: &mut Ctx<'_>, n: &Node, what: &str) -> Option<f64> {
    let text = ctx.text(n, what)?;
    match parse_rate(&text) {
        Some(r) => Some(r),
        None => {
            ctx.error_help(
                n.span,
                format!("`{what}` must be a rate"),
                format!("found {}", shown(n)),
                "write a rate like `200/s`, `1200/m` or `200` (per second), at most 10000000/s",
            );
            None
        }
    }
}

/// `200/s`, `1200/m`, `3600/h` or a plain number per second.
pub fn parse_rate(text: &str) -> Option<f64> {
    let t = text.trim();
    let (num, per) = match t.split_once('/') {
        Some((n, unit)) => {
            let per = match unit.trim() {
                "s" | "sec" | "second" => 1.0,
                "m" | "min" | "minute" => 60.0,
                "h" | "hour" => 3600.0,
                _ => return None,
            };
            (n.trim(), per)
        }
        None => (t, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    let rate = v / per;
    (0.0..=10_000_000.0).contains(&rate).then_some(rate)
}

/// `INDEX/COUNT`.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| "not INDEX/COUNT".to_owned())?;
    let index: u32 = i.trim().parse().map_err(|_| format!("`{i}` is not a number"))?;
    let count: u32 = n.trim().parse().map_err(|_| format!("`{n}` is not a number"))?;
    if count == 0 || count > 10_000 {
        return Err("the count must be 1 to 10000".into());
    }
    if index >= count {
        return Err(format!("the index is 0-based and must be below {count}"));
    }
    Ok(Shard { index, count })
}
