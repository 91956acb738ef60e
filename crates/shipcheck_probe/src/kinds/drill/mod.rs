//! The `drill` probe kind: measures, from the client's side, the disruption a change
//! causes. An open-model prober sends a probe every interval (HTTP or TCP, new
//! connections by default) before, during and after a command (`helm upgrade`, a
//! directory swap) or a list of fault steps, and reports downtime, failed probes by
//! class, time to first error and to recovery, per-phase latency, the versions that
//! answered, each step's transition time and a compressed timeline.

mod command;
mod facts;
mod prober;
mod run;
mod samples;
mod spec;
mod summary;
#[cfg(test)]
mod tests;
mod timeline;
mod versions;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

use facts::DrillQuery;
pub use facts::{DrillFacts, StepOutcome};
pub use spec::{DrillProbe, Step, Target as DrillTarget};

/// The `drill` kind's registry entry.
pub(crate) static KIND: DrillKind = DrillKind;

/// The `drill` kind.
pub(crate) struct DrillKind;

fn query(q: DrillQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

/// Measured times an expectation may bound.
const TIMES: &[&str] = &[
    "downtime",
    "failed_time",
    "time_to_first_error",
    "time_to_recovery",
    "mixed_version_window",
    "command_duration",
];
/// Counts an expectation may bound.
const COUNTS: &[&str] = &["failed_probes", "total_probes"];

impl ProbeKind for DrillKind {
    fn name(&self) -> &'static str {
        "drill"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &[
            "downtime",
            "failed_time",
            "time_to_first_error",
            "time_to_recovery",
            "mixed_version_window",
            "command_duration",
            "failed_probes",
            "total_probes",
            "exit_code",
            "duration",
        ]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        if let Some(name) = TIMES.iter().find(|n| **n == key) {
            predicates(cx, v, Target::Duration, &query(DrillQuery::Time(name)), out);
        } else if let Some(name) = COUNTS.iter().find(|n| **n == key) {
            predicates(cx, v, Target::Number, &query(DrillQuery::Count(name)), out);
        } else {
            predicates(cx, v, Target::Number, &query(DrillQuery::ExitCode), out);
        }
    }
    /// `exit_code: 0` when a command runs and the plan says nothing of it; every step
    /// reached its state within its bound, for a fault drill.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(p) = probe.as_any().downcast_ref::<DrillProbe>() else {
            return;
        };
        let runs = p.run.is_some() || p.steps.iter().any(|s| s.run.is_some());
        let code = query(DrillQuery::ExitCode);
        if runs && !expect.iter().any(|a| a.query == code) {
            expect.insert(
                0,
                Assertion {
                    query: code,
                    predicate: Predicate::Equals(Value::from(0)),
                    pos,
                },
            );
        }
        if !p.steps.is_empty() {
            expect.insert(
                0,
                Assertion {
                    query: query(DrillQuery::Steps),
                    predicate: Predicate::Equals(Value::Bool(true)),
                    pos,
                },
            );
        }
    }
}

// Ctrl-C ends a drill early with its partial timeline (not-run, with the evidence).
probe_impl!(DrillProbe, "drill", run::observe, winds_down);

static DOC: KindDoc = KindDoc {
    summary: "Measures the disruption a change causes, from the client's side. An open-model prober sends a probe every `every` on a fixed schedule (each its own task with its own timeout, whether or not earlier ones answered; a new connection each unless `reuse: true`), starting `baseline` before the command, through it and through `settle` after it; then it stops. A probe is up when its answer meets `up` (an http expectation; default `status: 2xx`) or, for `tcp://`, when it connects. Reported: `downtime` (the longest stretch of failing probes, from the first failing probe's due time to the next succeeding one's), `failed_time` (their sum), `failed_probes`/`total_probes` and failures by class, `time_to_first_error` (from the command's start), `time_to_recovery` (from the first failure to the end of the last down stretch), p50/p95/p99 latency before, during and after the command, the command's duration, exit code and output tail, the versions that answered (`version`) with the mixed-version window and each version's share after the command, each step's transition time, the schedule lateness of the sends, and a timeline compressed into stretches (series `up`, `latency`, `version` in report.json). The command runs in its own process group and is stopped (SIGTERM, then SIGKILL 2 s later) at its deadline (the check's `timeout` less baseline, settle, one probe timeout and 2 s), on Ctrl-C and at the run's global timeout. Give the check a `timeout` that covers all of it.",
    keys: &[
        KeyDoc { name: "probe", value: "URL, `tcp://HOST:PORT` or an http mapping", doc: "what each probe asks: a GET of the URL, a TCP connect, or any `http:` request (`{ get: URL, headers: … }`)" },
        KeyDoc { name: "up", value: "mapping (status, headers, json, body, body_size, final_url)", doc: "what an answer must show to count as up, as in an http check (default `status: 2xx`)" },
        KeyDoc { name: "every", value: "duration", doc: "probe interval (default 100ms, at least 1ms)" },
        KeyDoc { name: "probe_timeout", value: "duration", doc: "bound on each probe (default 1s); a probe past it fails with class timeout" },
        KeyDoc { name: "reuse", value: "boolean", doc: "keep the connection between probes (default false: a new connection per probe; the two see different failures)" },
        KeyDoc { name: "baseline", value: "duration", doc: "probing before the command starts (default 2s)" },
        KeyDoc { name: "settle", value: "duration", doc: "probing after the command ends (default 5s)" },
        KeyDoc { name: "run", value: "text or list of text (templates)", doc: "the command: a line for `sh -c`, or a program and its arguments; one of `run` and `steps`" },
        KeyDoc { name: "steps", value: "list of { name, run, wait_until, within }", doc: "a fault drill: each step runs a command and/or waits until a probe due after the step's start meets `wait_until` (an http expectation, `error: connect` too) within `within` (default 30s); each transition's time is reported as `step[NAME]`" },
        KeyDoc { name: "version", value: "{ header: NAME } or { json: JSONPATH }", doc: "where an answer names its version" },
        KeyDoc { name: "dir", value: "path", doc: "working directory of the commands (default: the plan's directory)" },
        KeyDoc { name: "env", value: "mapping", doc: "extra environment of the commands (value templates)" },
    ],
    expectations: &[
        KeyDoc { name: "downtime, failed_time, time_to_first_error, time_to_recovery, mixed_version_window, command_duration", value: "bound on a duration", doc: "the measured times (`downtime: { at_most: 0s }`)" },
        KeyDoc { name: "failed_probes, total_probes", value: "number or predicate", doc: "probe counts (`failed_probes: 0`)" },
        KeyDoc { name: "exit_code", value: "number or predicate", doc: "the command's exit status (the first failing step's)" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "wall time of the whole drill" },
    ],
    implied: "`exit_code: 0` when a command runs; every step reached its state within its bound",
    example: "- id: rollback-drill\n  timeout: 5m\n  drill:\n    probe: \"{{ api }}/health/ready\"\n    up: { status: 200, json: { \"$.status\": ok } }\n    every: 50ms\n    version: { header: x-version }\n    run: [helm, rollback, api, \"--wait\"]\n  expect: { downtime: { at_most: 0s }, failed_probes: 0, time_to_recovery: { under: 30s } }\n",
};
