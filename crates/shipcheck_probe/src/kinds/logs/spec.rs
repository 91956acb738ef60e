//! The `logs:` plan key: a log file (or a command's output) read from the end within a
//! byte cap, the window of lines to judge (`since`), the error pattern and the format.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve};

use crate::kinds::exec::spec::ExecProbe;

const KEYS: &[&str] = &["file", "exec", "max_bytes", "since", "error_pattern", "format"];
const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;
const MAX_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Error lines by default: a level word in capitals.
pub(super) const DEFAULT_ERROR_PATTERN: &str = r"\b(ERROR|CRITICAL|FATAL)\b";

/// Where the lines come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file, read from its end.
    File(PathBuf),
    /// A command's standard output (its last `max_bytes`), run as an `exec` check runs.
    Exec(Box<ExecProbe>),
}

/// Which lines are judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Since {
    /// Every line read.
    All,
    /// Lines stamped at or after the plan's start.
    PlanStart,
    /// Lines stamped at or after this Unix time.
    At(f64),
    /// Lines stamped within this long before the check runs.
    Ago(Duration),
}

/// What every line must look like.
#[derive(Debug, Clone)]
pub enum Format {
    /// One JSON object per line.
    Json,
    /// Matches this regex.
    Regex(regex::Regex),
}

/// A parsed `logs:` check.
#[derive(Debug, Clone)]
pub struct LogsProbe {
    /// Where the lines come from.
    pub source: Source,
    /// Read at most this many bytes from the end.
    pub max_bytes: u64,
    /// Which lines are judged.
    pub since: Since,
    /// An error line matches this.
    pub error_pattern: regex::Regex,
    /// The format every line must have, when given.
    pub format: Option<Format>,
}

/// `logs: PATH` or `logs: { file | exec, max_bytes, since, error_pattern, format }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<LogsProbe> {
    let entries: &[(Node, Node)] = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, "a logs check");
            entries
        }
        _ => &[],
    };
    let source = match (&n.kind, get(entries, "file"), get(entries, "exec")) {
        (Kind::Map(_), Some(f), None) => Source::File(resolve(base_dir, &ctx.text(f, "file")?)),
        (Kind::Map(_), None, Some(e)) => {
            let mut exec = crate::kinds::exec::spec::parse(ctx, e, base_dir)?;
            exec.keep_tail = true;
            Source::Exec(Box::new(exec))
        }
        (Kind::Map(_), Some(_), Some(e)) => {
            ctx.error(e.span, "a logs check reads either a `file` or an `exec` command's output", "keep one");
            return None;
        }
        (Kind::Map(_), None, None) => {
            ctx.error_help(n.span, "the logs check reads nothing", "no `file:` or `exec:`", "write `file: PATH` or `exec: [journalctl, -u, app]`");
            return None;
        }
        _ => Source::File(resolve(base_dir, &ctx.text(n, "logs")?)),
    };
    let max_bytes = match get(entries, "max_bytes") {
        Some(v) => ctx.bounded_size(v, "max_bytes", MAX_MAX_BYTES, "64MiB")?,
        None => DEFAULT_MAX_BYTES,
    };
    let source = match source {
        Source::Exec(mut e) => {
            e.max_output = max_bytes;
            Source::Exec(e)
        }
        s => s,
    };
    let since = match get(entries, "since") {
        None => Since::All,
        Some(v) => {
            let text = ctx.text(v, "since")?;
            if text == "plan_start" {
                Since::PlanStart
            } else if let Some(t) = crate::kinds::timestamp::find(&text).filter(|_| crate::kinds::timestamp::is_rfc3339(&text)) {
                Since::At(t)
            } else if let Some(d) = shipcheck_plan::parse_duration(&text) {
                Since::Ago(d)
            } else {
                ctx.error_help(v.span, format!("`{text}` is not a time for `since`"), "unknown time", "write `plan_start`, an RFC 3339 time (`2026-01-31T12:00:00Z`) or a duration ago (`15m`)");
                return None;
            }
        }
    };
    let pattern = |ctx: &mut Ctx<'_>, v: &Node, what: &str| -> Option<regex::Regex> {
        let text = ctx.text(v, what)?;
        match regex::RegexBuilder::new(&text).size_limit(1 << 20).build() {
            Ok(r) => Some(r),
            Err(e) => {
                ctx.error(v.span, format!("`{what}` is not a valid regex: {e}"), "invalid regex");
                None
            }
        }
    };
    let error_pattern = match get(entries, "error_pattern") {
        Some(v) => pattern(ctx, v, "error_pattern")?,
        None => regex::Regex::new(DEFAULT_ERROR_PATTERN).ok()?,
    };
    let format = match get(entries, "format") {
        None => None,
        Some(v) if v.scalar_text().as_deref() == Some("json") => Some(Format::Json),
        Some(v) => Some(Format::Regex(pattern(ctx, v, "format")?)),
    };
    Some(LogsProbe { source, max_bytes, since, error_pattern, format })
}
