//! The `load` probe kind: HTTP load from `shipcheck_load` (closed or open model, shards)
//! judged by latency percentiles, error rate, throughput and, in the open model, whether
//! the asked rate was achieved. The per-second timeline goes to the report as series.

mod facts;
mod run;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Quantity, Query, Unit};

use facts::LoadQuery;
pub use facts::LoadFacts;
pub use spec::{LoadProbe, RunSpec, Source, parse_rate, parse_shard};

/// The `load` kind's registry entry.
pub(crate) static KIND: LoadKind = LoadKind;

/// The `load` kind.
pub(crate) struct LoadKind;

fn query(q: LoadQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

fn has(expect: &[Assertion], name: &str) -> bool {
    LoadQuery::of(name).is_some_and(|q| {
        let q = query(q);
        expect.iter().any(|a| a.query == q)
    })
}

impl ProbeKind for LoadKind {
    fn name(&self) -> &'static str {
        "load"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &[
            "p50", "p90", "p95", "p99", "p99_9", "max", "error_rate", "rps", "rate_achieved",
            "requests", "duration",
        ]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        let Some(q) = LoadQuery::of(key) else {
            return;
        };
        let target = match key {
            "error_rate" => Target::Ratio("error_rate"),
            "rate_achieved" => Target::Ratio("rate_achieved"),
            "rps" | "requests" => Target::Number,
            _ => Target::Duration,
        };
        predicates(cx, v, target, &query(q), out);
    }
    /// `error_rate: { under: 1% }` unless written; in the open model also
    /// `rate_achieved: { at_least: 99% }` unless written.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let open = probe
            .as_any()
            .downcast_ref::<LoadProbe>()
            .and_then(LoadProbe::open_model)
            .unwrap_or(false);
        if open && !has(expect, "rate_achieved") {
            expect.insert(
                0,
                Assertion {
                    query: query(LoadQuery::RateAchieved),
                    predicate: Predicate::AtLeast(Quantity { value: 99.0, unit: Unit::Percent }),
                    pos,
                },
            );
        }
        if !has(expect, "error_rate") {
            expect.insert(
                0,
                Assertion {
                    query: query(LoadQuery::ErrorRate),
                    predicate: Predicate::Under(Quantity { value: 1.0, unit: Unit::Percent }),
                    pos,
                },
            );
        }
    }
}

probe_impl!(LoadProbe, "load", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Sends HTTP/1.1 load (keep-alive, one worker per core) and judges latency percentiles, error rate and throughput. The closed model (`connections`) sends each connection's next request when the previous answer arrives; the open model (`rate`, or ramping `stages`) sends requests at their scheduled times and measures latency from each request's intended start, so a stalled server shows in the percentiles (coordinated omission corrected, like wrk2). Only loopback targets are loaded unless the host is listed in `allow_targets` (or given with `--allow-target`). A failed request is a transport error or a 4xx/5xx answer. The check's `timeout:` must cover the run (duration + up to 2 s drain); the per-second timeline is in the report as series.",
    keys: &[
        KeyDoc { name: "url", value: "URL (template)", doc: "an `http://` URL (short form: `load: URL`)" },
        KeyDoc { name: "method", value: "text", doc: "HTTP method (default GET)" },
        KeyDoc { name: "headers", value: "mapping", doc: "request headers (value templates); `Content-Length`, `Connection` and `Transfer-Encoding` are set by the generator" },
        KeyDoc { name: "body", value: "text (template)", doc: "request body, serialised once with the request" },
        KeyDoc { name: "connections", value: "number", doc: "closed model: concurrent connections; open model: the most requests in flight (default 64, over all shards)" },
        KeyDoc { name: "rate", value: "rate", doc: "open model at a constant rate: `200/s`, `12000/m` or a number per second, for `duration`" },
        KeyDoc { name: "stages", value: "list of `{ duration, rate }`", doc: "open model ramping linearly from `start_rate` (default 0) through each stage's rate; the run lasts as long as the stages" },
        KeyDoc { name: "start_rate", value: "rate", doc: "the rate at the start of `stages`" },
        KeyDoc { name: "duration", value: "duration", doc: "how long requests are sent (default 10s; with `requests` alone the count bounds the run)" },
        KeyDoc { name: "requests", value: "number", doc: "stop after this many requests (over all shards)" },
        KeyDoc { name: "request_timeout", value: "duration", doc: "timeout of each request and connect (default 10s); also bounds the drain at the end (at most 2s)" },
        KeyDoc { name: "threads", value: "number", doc: "worker threads (default one per core)" },
        KeyDoc { name: "shard", value: "`INDEX/COUNT`", doc: "run slice INDEX (0-based) of COUNT: its share of the rate, connections and requests" },
        KeyDoc { name: "allow_targets", value: "list of hosts", doc: "hosts that may be loaded besides loopback (127.0.0.0/8, ::1, localhost); any other target is refused" },
        KeyDoc { name: "save", value: "path", doc: "write the result (counts, HDR histogram, timeline) as JSON for `shipcheck load merge`" },
        KeyDoc { name: "merge", value: "list of paths", doc: "judge saved shard results added up instead of sending load (only `save` may go with it)" },
    ],
    expectations: &[
        KeyDoc { name: "p50, p90, p95, p99, p99_9, max", value: "bound on a duration", doc: "latency quantiles (HDR histogram, 3 significant digits), from the intended start in the open model" },
        KeyDoc { name: "error_rate", value: "bound on a ratio", doc: "failed over finished requests: `under: 0.1%` or `under: 0.001`" },
        KeyDoc { name: "rps", value: "bound on a number", doc: "finished requests per second of wall time" },
        KeyDoc { name: "rate_achieved", value: "bound on a ratio", doc: "open model: answered over due requests; a shortfall fails saying \"rate not achieved\" with the achieved rate" },
        KeyDoc { name: "requests", value: "bound on a number", doc: "finished requests" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "wall time of the check" },
    ],
    implied: "`error_rate: { under: 1% }`, and in the open model `rate_achieved: { at_least: 99% }`",
    example: "- id: api-under-load\n  timeout: 1m\n  load: { url: \"http://127.0.0.1:8080/api/items\", rate: 200/s, duration: 30s, connections: 64 }\n  expect: { p95: { under: 250ms }, error_rate: { under: 0.1% } }\n",
};
