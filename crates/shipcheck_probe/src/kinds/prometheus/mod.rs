//! The `prometheus` probe kind, against the Prometheus HTTP API: are the scrape targets
//! up (every one, or those of named jobs, the failing ones listed with their errors), and
//! what does an instant PromQL query return (its value, its number of series, JSONPath on
//! its result).

mod facts;
mod run;
mod spec;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Quantity, Query, Unit};

use super::document_expect::{imply_true, valid};
use facts::PromQuery;
pub use facts::{PrometheusFacts, ScrapeTarget};
pub use spec::{PrometheusProbe, Targets};

/// The `prometheus` kind's registry entry.
pub(crate) static KIND: PrometheusKind = PrometheusKind;

/// The `prometheus` kind.
pub(crate) struct PrometheusKind;

fn query(q: PromQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

impl ProbeKind for PrometheusKind {
    fn name(&self) -> &'static str {
        "prometheus"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn hints(&self) -> &'static [Hint] {
        HINTS
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["duration", "json", "series", "targets_up", "value"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        match key {
            "targets_up" => valid(cx, v, Arc::new(PromQuery::TargetsUp), out),
            "value" => predicates(cx, v, Target::Json, &query(PromQuery::Value), out),
            _ => predicates(cx, v, Target::Json, &query(PromQuery::Series), out),
        }
    }
    /// `targets_up: true` when the check names targets; `series: { at_least: 1 }` when it
    /// has a query and no expectation on its result (an empty result is what a dashboard
    /// with no data shows).
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(p) = probe.as_any().downcast_ref::<PrometheusProbe>() else {
            return;
        };
        if p.query.is_some() {
            let on_result = expect.iter().any(|a| {
                a.query == query(PromQuery::Value)
                    || a.query == query(PromQuery::Series)
                    || matches!(a.query, Query::JsonPath(_))
            });
            if !on_result {
                expect.insert(
                    0,
                    Assertion {
                        query: query(PromQuery::Series),
                        predicate: Predicate::AtLeast(Quantity {
                            value: 1.0,
                            unit: Unit::Number,
                        }),
                        pos,
                    },
                );
            }
        }
        if p.targets.is_some() {
            imply_true(Arc::new(PromQuery::TargetsUp), expect, pos);
        }
    }
}

probe_impl!(PrometheusProbe, "prometheus", run::observe);

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "targets",
        hint: "a target is down when its pods are not ready, its port or path changed, or a NetworkPolicy blocks Prometheus; `unknown` means it was not scraped yet (poll with `until:`)",
    },
    Hint {
        when: "query",
        hint: "an empty result usually means the metric is not scraped (check the targets) or has no traffic yet; a wrong value, that the deployment misbehaves",
    },
];

static DOC: KindDoc = KindDoc {
    summary: "Asks a Prometheus server's HTTP API whether its scrape targets are up (`/api/v1/targets`) and what an instant PromQL query returns (`/api/v1/query`).",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL (required)",
            doc: "the Prometheus server's base URL, e.g. `http://prometheus:9090`",
        },
        KeyDoc {
            name: "targets",
            value: "`all` or a list of job names",
            doc: "the active scrape targets to check: every one, or those of these jobs (each job must have at least one)",
        },
        KeyDoc {
            name: "query",
            value: "PromQL (templates allowed)",
            doc: "an instant query, evaluated now",
        },
        KeyDoc {
            name: "headers, insecure, ca_file, max_body",
            value: "as for `metrics`",
            doc: "how to reach the server (an `Authorization` header for a protected one)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "targets_up",
            value: "boolean",
            doc: "every target asked for is `up`; the others are listed with their health and last scrape error",
        },
        KeyDoc {
            name: "value",
            value: "predicate on a number",
            doc: "the value of the query's result (a scalar, or each sample of a vector)",
        },
        KeyDoc {
            name: "series",
            value: "predicate on a count",
            doc: "how many series the query returned",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "the query's `data` object (`resultType`, `result`), e.g. `$.result[0].metric.job`",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the API calls",
        },
    ],
    implied: "`targets_up: true` when `targets` is given; `series: { at_least: 1 }` when `query` is given without an expectation on its result",
    example: "- id: scraped\n  prometheus: { url: \"{{ prometheus }}\", targets: [api, worker] }\n- id: error-rate\n  prometheus:\n    url: \"{{ prometheus }}\"\n    query: 'sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))'\n  expect: { value: { under: 0.01 } }\n",
};
