//! The `drill:` plan key: what to probe, how often, what counts as up, and the command (or
//! the steps) whose disruption is measured.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, json_predicates, pairs, resolve};
use shipcheck_plan::{Assertion, Capture, CaptureSource};

use crate::kinds::http::{self, HttpProbe};
use crate::kinds::exec::Command;

/// Keys of `drill:`.
const KEYS: &[&str] = &[
    "probe",
    "reuse",
    "up",
    "every",
    "probe_timeout",
    "baseline",
    "settle",
    "run",
    "steps",
    "dir",
    "env",
    "version",
];
/// Keys of one step.
const STEP_KEYS: &[&str] = &["name", "run", "wait_until", "within"];
/// Keys of `up:` and `wait_until:` (the http kind's vocabulary that reads one response).
const UP_KEYS: &[&str] = &["status", "headers", "json", "body", "body_size", "final_url"];

/// Keys of `wait_until:`: those of `up:` and `error` (a step may wait for refusals).
const WAIT_KEYS: &[&str] = &["status", "headers", "json", "body", "body_size", "final_url", "error"];

/// Shortest probe interval.
const MIN_EVERY: Duration = Duration::from_millis(1);
/// Most steps of a fault drill (each has one bit in a probe's outcome).
pub(crate) const MAX_STEPS: usize = 32;

/// What each probe does.
#[derive(Debug, Clone)]
pub enum Target {
    /// An HTTP request, judged by `up` (default `status: 2xx`).
    Http(Box<HttpProbe>),
    /// A TCP connect to `host:port` (template); up when it connects.
    Tcp(String),
}

/// One step of a fault drill.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its name in the report (default `step N`).
    pub name: String,
    /// A command to run first.
    pub run: Option<Command>,
    /// What the probes must see (within `within`) before the next step.
    pub wait_until: Vec<Assertion>,
    /// Bound on the wait.
    pub within: Duration,
}

/// A parsed `drill:` check.
#[derive(Debug, Clone)]
pub struct DrillProbe {
    /// What to probe.
    pub target: Target,
    /// Keep the connection between probes (HTTP keep-alive) instead of a new one each.
    pub reuse: bool,
    /// What an answer must show to count as up (HTTP).
    pub up: Vec<Assertion>,
    /// Probe interval.
    pub every: Duration,
    /// Bound on each probe.
    pub probe_timeout: Duration,
    /// Probing before the command.
    pub baseline: Duration,
    /// Probing after the command.
    pub settle: Duration,
    /// The command whose disruption is measured (a deploy drill).
    pub run: Option<Command>,
    /// The steps of a fault drill.
    pub steps: Vec<Step>,
    /// Working directory of the commands.
    pub dir: PathBuf,
    /// Extra environment of the commands (value templates).
    pub env: Vec<(String, String)>,
    /// Where the version that answered is read.
    pub version: Option<Capture>,
}

/// `drill: { probe, run | steps, … }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<DrillProbe> {
    let entries = ctx.map(n, "drill")?;
    ctx.keys(entries, KEYS, "a drill");
    let Some(probe) = get(entries, "probe") else {
        ctx.error_help(
            n.span,
            "the drill has nothing to probe",
            "no `probe:`",
            "write `probe: URL` (http or https), `probe: tcp://HOST:PORT` or an http mapping",
        );
        return None;
    };
    let target = target(ctx, probe, base_dir)?;
    let duration = |ctx: &mut Ctx<'_>, key: &str, default: Duration| match get(entries, key) {
        Some(v) => ctx.duration(v, key),
        None => Some(default),
    };
    let every = duration(ctx, "every", Duration::from_millis(100))?;
    if every < MIN_EVERY {
        if let Some(v) = get(entries, "every") {
            ctx.error(v.span, "`every` must be at least 1ms", "too short");
        }
        return None;
    }
    let probe_timeout = duration(ctx, "probe_timeout", Duration::from_secs(1))?;
    let baseline = duration(ctx, "baseline", Duration::from_secs(2))?;
    let settle = duration(ctx, "settle", Duration::from_secs(5))?;
    let reuse = match get(entries, "reuse") {
        Some(v) => ctx.bool(v, "reuse")?,
        None => false,
    };
    let up = match (get(entries, "up"), &target) {
        (Some(v), Target::Tcp(_)) => {
            ctx.error(v.span, "a tcp probe is up when it connects", "`up` applies to http probes");
            return None;
        }
        (Some(v), Target::Http(_)) => expectation(ctx, v, "up", UP_KEYS),
        (None, _) => Vec::new(),
    };
    let mut up = up;
    if matches!(target, Target::Http(_)) && !up.iter().any(http::implies_status) {
        up.insert(0, http::implied_status(n.pos()));
    }
    let run = match get(entries, "run") {
        Some(v) => Some(command(ctx, v)?),
        None => None,
    };
    let steps = match get(entries, "steps") {
        Some(v) => steps(ctx, v, &target)?,
        None => Vec::new(),
    };
    match (&run, steps.is_empty()) {
        (None, true) => {
            ctx.error_help(
                n.span,
                "the drill has nothing to run",
                "no `run:` or `steps:`",
                "write `run: \"COMMAND\"` (a deploy drill) or `steps:` (a fault drill)",
            );
            return None;
        }
        (Some(_), false) => {
            if let Some(v) = get(entries, "steps") {
                ctx.error(v.span, "a drill runs either `run` or `steps`", "keep one");
            }
            return None;
        }
        _ => {}
    }
    let dir = match get(entries, "dir") {
        Some(d) => resolve(base_dir, &ctx.text(d, "dir")?),
        None => base_dir.to_path_buf(),
    };
    let env = get(entries, "env")
        .map(|e| pairs(ctx, e, "env", false))
        .unwrap_or_default();
    let version = match get(entries, "version") {
        Some(v) => Some(version(ctx, v, &target)?),
        None => None,
    };
    Some(DrillProbe {
        target,
        reuse,
        up,
        every,
        probe_timeout,
        baseline,
        settle,
        run,
        steps,
        dir,
        env,
        version,
    })
}

/// `probe: URL`, `probe: tcp://HOST:PORT` or an http mapping (`{ get: URL, headers… }`).
fn target(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<Target> {
    if let Kind::Str(s) = &n.kind {
        if let Some(addr) = s.strip_prefix("tcp://") {
            return Some(Target::Tcp(addr.trim_end_matches('/').to_owned()));
        }
        let key = Node {
            kind: Kind::Str("get".into()),
            span: n.span,
            expanded: false,
        };
        let map = Node {
            kind: Kind::Map(vec![(key, n.clone())]),
            span: n.span,
            expanded: false,
        };
        return http::parse_spec(ctx, &map, base_dir).map(|p| Target::Http(Box::new(p)));
    }
    http::parse_spec(ctx, n, base_dir).map(|p| Target::Http(Box::new(p)))
}

/// An expectation on one HTTP answer, in the http kind's words.
fn expectation(ctx: &mut Ctx<'_>, n: &Node, what: &str, keys: &[&str]) -> Vec<Assertion> {
    let mut out = Vec::new();
    let Some(entries) = ctx.map(n, what) else {
        return out;
    };
    ctx.keys(entries, keys, &format!("`{what}`"));
    for (k, v) in entries {
        match &k.kind {
            Kind::Str(key) if key == "json" => json_predicates(ctx, v, &mut out),
            Kind::Str(key) if keys.contains(&key.as_str()) => {
                http::build_expect(ctx, key, v, &mut out);
            }
            _ => {}
        }
    }
    out
}

/// `run: "shell line"` or `run: [PROGRAM, ARG…]`.
fn command(ctx: &mut Ctx<'_>, n: &Node) -> Option<Command> {
    match &n.kind {
        Kind::Seq(items) => {
            if items.is_empty() {
                ctx.error(n.span, "the command is empty", "name a program to run");
                return None;
            }
            let argv: Vec<String> = items.iter().filter_map(|i| ctx.template(i, "run")).collect();
            (argv.len() == items.len()).then_some(Command::Argv(argv))
        }
        _ => ctx.template(n, "run").map(Command::Shell),
    }
}

fn steps(ctx: &mut Ctx<'_>, n: &Node, target: &Target) -> Option<Vec<Step>> {
    let items = ctx.seq(n, "steps")?;
    if items.is_empty() || items.len() > MAX_STEPS {
        ctx.error(n.span, format!("a drill has 1 to {MAX_STEPS} steps"), "here");
        return None;
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let entries = ctx.map(item, "step")?;
        ctx.keys(entries, STEP_KEYS, "a step");
        let name = match get(entries, "name") {
            Some(v) => ctx.text(v, "name")?,
            None => format!("step {}", i + 1),
        };
        let run = match get(entries, "run") {
            Some(v) => Some(command(ctx, v)?),
            None => None,
        };
        let wait_until = match (get(entries, "wait_until"), target) {
            (Some(v), Target::Http(_)) => expectation(ctx, v, "wait_until", WAIT_KEYS),
            (Some(v), Target::Tcp(_)) => {
                ctx.error(v.span, "`wait_until` applies to http probes", "tcp probe");
                return None;
            }
            (None, _) => Vec::new(),
        };
        if run.is_none() && wait_until.is_empty() {
            ctx.error_help(
                item.span,
                format!("{name} does nothing"),
                "no `run:` or `wait_until:`",
                "a step runs a command, waits until the probes match, or both",
            );
            return None;
        }
        let within = match get(entries, "within") {
            Some(v) => ctx.duration(v, "within")?,
            None => Duration::from_secs(30),
        };
        out.push(Step {
            name,
            run,
            wait_until,
            within,
        });
    }
    Some(out)
}

/// `version: { header: NAME }` or `version: { json: "$.path" }`.
fn version(ctx: &mut Ctx<'_>, n: &Node, target: &Target) -> Option<Capture> {
    if let Target::Tcp(_) = target {
        ctx.error(n.span, "a tcp probe sees no version", "`version` applies to http probes");
        return None;
    }
    let entries = ctx.map(n, "version")?;
    ctx.keys(entries, &["header", "json"], "`version`");
    let source = match (get(entries, "header"), get(entries, "json")) {
        (Some(h), None) => CaptureSource::Header(ctx.text(h, "header")?.to_ascii_lowercase()),
        (None, Some(j)) => {
            let path = ctx.text(j, "json")?;
            if !path.starts_with('$') {
                ctx.error(j.span, "a JSONPath starts with `$`", "e.g. `$.version`");
                return None;
            }
            CaptureSource::JsonPath(path)
        }
        _ => {
            ctx.error(n.span, "`version` names one `header` or one `json` path", "here");
            return None;
        }
    };
    Some(Capture {
        name: "version".into(),
        source,
        secret: false,
        pos: n.pos(),
    })
}
