//! The `logs` probe kind: a log file (or a command's output, such as `journalctl` or
//! `kubectl logs`) read from the end within a byte cap; error lines since a time or since
//! the plan started, every line's format (JSON or a regex), and counts by level as
//! measurements.

mod facts;
mod run;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindJudge, KindQuery, Pos, Predicate, Query};

use facts::{LogQuery, NoneOf};
pub use spec::LogsProbe;

/// The `logs` kind's registry entry.
pub(crate) static KIND: LogsKind = LogsKind;

/// The `logs` kind.
pub(crate) struct LogsKind;

fn query(q: LogQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

fn none_of(q: LogQuery, pos: Pos) -> Assertion {
    Assertion { query: query(q), predicate: Predicate::Judge(KindJudge(Arc::new(NoneOf(q)))), pos }
}

impl ProbeKind for LogsKind {
    fn name(&self) -> &'static str {
        "logs"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["errors", "format", "lines", "duration"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        let q = match key {
            "errors" => LogQuery::Errors,
            "format" => LogQuery::Invalid,
            _ => LogQuery::Lines,
        };
        match (q, v.scalar_text().as_deref()) {
            (LogQuery::Errors, Some("none")) | (LogQuery::Invalid, Some("valid")) => out.push(none_of(q, v.pos())),
            (LogQuery::Invalid, _) => cx.error(v.span, "`format` takes `valid`", "write `format: valid`"),
            _ => predicates(cx, v, Target::Number, &query(q), out),
        }
    }
    /// `errors: none`, and `format: valid` when the check gives a `format`.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        if !expect.iter().any(|a| a.query == query(LogQuery::Errors)) {
            expect.insert(0, none_of(LogQuery::Errors, pos));
        }
        let has_format = probe.as_any().downcast_ref::<LogsProbe>().is_some_and(|p| p.format.is_some());
        if has_format && !expect.iter().any(|a| a.query == query(LogQuery::Invalid)) {
            expect.insert(1, none_of(LogQuery::Invalid, pos));
        }
    }
}

probe_impl!(LogsProbe, "logs", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Reads a log file from its end (or the last bytes of a command's output, run as an `exec` check runs it: `journalctl`, `kubectl logs`) within `max_bytes`, and judges the lines in a window: those stamped since a time or since the plan started (timestamps read from ISO 8601/RFC 3339 text, access-log `[31/Jan/2026:12:00:00 +0000]`, or a JSON line's `timestamp`/`time`/`ts` field; an unstamped line goes with the line before it; with no timestamp at all, every line is judged and the report says so). Error lines match `error_pattern`; each line can be required to be a JSON object or to match a regex; lines by level (`ERROR`, `WARNING`, `INFO`…, or a JSON `level` field) are measurements.",
    keys: &[
        KeyDoc { name: "logs | file", value: "path", doc: "the log file, relative to the plan (`logs: PATH` is the short form)" },
        KeyDoc { name: "exec", value: "an `exec` probe", doc: "instead of `file`: a command whose standard output is the log (`exec: [journalctl, -u, app, --no-pager]`); a non-zero exit is an error" },
        KeyDoc { name: "max_bytes", value: "size", doc: "read at most this much from the end (default 1MiB, at most 64MiB); the first partial line is dropped" },
        KeyDoc { name: "since", value: "`plan_start`, RFC 3339 time, or duration", doc: "judge lines stamped at or after the plan's start, that time, or that long ago (`15m`); default: every line read" },
        KeyDoc { name: "error_pattern", value: "regex", doc: "an error line matches it (default `\\b(ERROR|CRITICAL|FATAL)\\b`)" },
        KeyDoc { name: "format", value: "`json` or regex", doc: "every line must be a JSON object, or match the regex" },
    ],
    expectations: &[
        KeyDoc { name: "errors", value: "`none` or a number predicate", doc: "error lines in the window; the report quotes the first ten" },
        KeyDoc { name: "format", value: "`valid`", doc: "every line in the window has the format; the report quotes the first ten that do not" },
        KeyDoc { name: "lines", value: "number predicate", doc: "lines in the window (`lines: { at_least: 1 }`: the app logged something)" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "time to read and judge the log" },
    ],
    implied: "`errors: none`; `format: valid` when `format` is given",
    example: "- id: clean-logs\n  logs: { file: logs/app.log, since: plan_start, format: json }\n  expect: { lines: { at_least: 1 } }\n",
};
