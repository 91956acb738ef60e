//! The `metrics` probe kind: a Prometheus text exposition or OpenMetrics document, fetched
//! and parsed; expectations on its validity and on series selected by name and labels.

mod exposition;
mod facts;
mod run;
mod selector;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates, shown};
use shipcheck_plan::{Assertion, KindQuery, Pos, Query};

use super::document::FetchProbe;
use super::document_expect::{imply_true, valid};
pub use exposition::Sample;
pub use facts::MetricsFacts;
use facts::MetricsQuery;

/// The `metrics` kind's registry entry.
pub(crate) static KIND: MetricsKind = MetricsKind;

/// The `metrics` kind.
pub(crate) struct MetricsKind;

/// A parsed `metrics:` check.
#[derive(Debug, Clone)]
pub struct MetricsProbe(pub FetchProbe);

impl ProbeKind for MetricsKind {
    fn name(&self) -> &'static str {
        "metrics"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        super::document::parse(cx, node, base_dir, "metrics")
            .map(|p| Arc::new(MetricsProbe(p)) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["duration", "valid", "series"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        match key {
            "valid" => valid(cx, v, Arc::new(MetricsQuery::Valid), out),
            _ => series(cx, v, out),
        }
    }
    fn implied(&self, _: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        imply_true(Arc::new(MetricsQuery::Valid), expect, pos);
    }
}

/// `series: { SELECTOR: predicate }`.
fn series(ctx: &mut Ctx<'_>, v: &Node, out: &mut Vec<Assertion>) {
    for (k, pv) in ctx.map(v, "series").unwrap_or_default() {
        let Some(sel) = ctx.text(k, "series selector") else {
            continue;
        };
        if !selector::valid_selector(&sel) {
            ctx.error_help(
                k.span,
                format!("{} is not a series selector", shown(k)),
                "invalid selector",
                "write `name` or `name{label=\"value\", other!=\"value\"}`",
            );
            continue;
        }
        let query = Query::Kind(KindQuery(Arc::new(MetricsQuery::Series(sel))));
        predicates(ctx, pv, Target::Json, &query, out);
    }
}

probe_impl!(MetricsProbe, "metrics", run::observe, 0);

static DOC: KindDoc = KindDoc {
    summary: "Fetches a Prometheus text exposition (0.0.4) or OpenMetrics document and parses it: `# HELP`/`# TYPE` lines, label escapes, `+Inf`/`-Inf`/`NaN`, timestamps, exemplars, `# EOF`.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL (required)",
            doc: "the exposition (short form: `metrics: URL`)",
        },
        KeyDoc {
            name: "headers",
            value: "mapping",
            doc: "request headers",
        },
        KeyDoc {
            name: "insecure, ca_file",
            value: "boolean, path",
            doc: "as for `http`",
        },
        KeyDoc {
            name: "max_body",
            value: "size",
            doc: "read at most this much (default 4MiB, at most 64MiB)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "valid",
            value: "boolean",
            doc: "the exposition parses; an invalid one fails naming the offending line; a non-2xx answer fails it too",
        },
        KeyDoc {
            name: "series",
            value: "mapping of selector → predicate",
            doc: "a metric name with optional label matchers (`=`, `!=`); `exists` and `count` work on how many samples match, other predicates need exactly one and compare its value",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the fetch",
        },
    ],
    implied: "`valid: true`",
    example: "- id: metrics\n  metrics: \"{{ api }}/metrics\"\n  expect:\n    series:\n      'http_requests_total{method=\"GET\",status=\"200\"}': { at_least: 1 }\n      'http_requests_total{status=\"500\"}': { exists: false }\n      up: 1\n",
};

/// For `crate::fuzzing`: an exposition parsed, then the series a selector picks in it
/// (`Err`: the exposition or the selector is invalid).
pub(crate) fn fuzz_exposition(text: &str, selector: &str) -> Result<usize, String> {
    use shipcheck_plan::kind::Select as _;
    let (samples, _types) = exposition::parse(text)?;
    let facts = MetricsFacts {
        samples,
        ..MetricsFacts::default()
    };
    let selected = MetricsQuery::Series(selector.to_owned()).select(&facts)?;
    Ok(selected.values.len())
}
