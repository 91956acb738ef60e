//! The `helm` probe kind: a release's history read from Helm's own storage objects
//! (Secrets, or ConfigMaps) without the `helm` binary — the current revision, its status,
//! chart and app version, a hash of its values, its hooks' last runs — through
//! `shipcheck_helm`.

mod facts;
mod run;
mod spec;

#[cfg(test)]
mod cluster_tests;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

use super::document_expect::{imply_true, valid};
use facts::HelmQuery;
pub use facts::HelmFacts;
pub use spec::HelmProbe;

/// The `helm` kind's registry entry.
pub(crate) static KIND: HelmKind = HelmKind;

/// The `helm` kind.
pub(crate) struct HelmKind;

fn query(q: HelmQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

impl ProbeKind for HelmKind {
    fn name(&self) -> &'static str {
        "helm"
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
        &[
            "app_version",
            "chart",
            "chart_version",
            "duration",
            "earlier_superseded",
            "hooks_succeeded",
            "json",
            "new_revision",
            "revision",
            "revisions",
            "status",
            "values_hash",
        ]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        let (q, text) = match key {
            "earlier_superseded" => return valid(cx, v, Arc::new(HelmQuery::EarlierSuperseded), out),
            "hooks_succeeded" => return valid(cx, v, Arc::new(HelmQuery::HooksSucceeded), out),
            "new_revision" => return valid(cx, v, Arc::new(HelmQuery::NewRevision), out),
            "revision" => (HelmQuery::Revision, None),
            "revisions" => (HelmQuery::Revisions, None),
            "status" => (HelmQuery::Status, Some("status")),
            "chart" => (HelmQuery::Chart, Some("chart")),
            "chart_version" => (HelmQuery::ChartVersion, Some("chart_version")),
            "app_version" => (HelmQuery::AppVersion, Some("app_version")),
            _ => (HelmQuery::ValuesHash, Some("values_hash")),
        };
        let target = text.map_or(Target::Json, Target::Text);
        predicates(cx, v, target, &query(q), out);
    }
    /// `status: deployed` unless the plan wrote a `status`; `hooks_succeeded: true` when
    /// the check names `hooks`; `new_revision: true` with `after_revision`.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(p) = probe.as_any().downcast_ref::<HelmProbe>() else {
            return;
        };
        if !p.hooks.is_empty() {
            imply_true(Arc::new(HelmQuery::HooksSucceeded), expect, pos);
        }
        if p.after_revision.is_some() {
            imply_true(Arc::new(HelmQuery::NewRevision), expect, pos);
        }
        let status = query(HelmQuery::Status);
        if !expect.iter().any(|a| a.query == status) {
            expect.insert(
                0,
                Assertion {
                    query: status,
                    predicate: Predicate::Equals(Value::String("deployed".into())),
                    pos,
                },
            );
        }
    }
    fn captures(&self) -> bool {
        true
    }
}

probe_impl!(HelmProbe, "helm", run::observe);

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "release status",
        hint: "`failed` means Helm's last operation failed (its description says why: often a hook or a timeout waiting for resources); `pending-*` means an operation is in progress or was interrupted (poll with `until:`, or `helm rollback`)",
    },
    Hint {
        when: "hooks",
        hint: "a failed hook Job keeps its Pods when its delete policy allows: read their logs (`kubectl logs job/<hook>`); a migration hook usually fails on the database it migrates",
    },
    Hint {
        when: "revision",
        hint: "an unchanged revision means the deploy never reached Helm (a pipeline step skipped or failed before `helm upgrade`)",
    },
];

static DOC: KindDoc = KindDoc {
    summary: "Reads a Helm release's history from Helm's own storage objects (Secrets `sh.helm.release.v1.<name>.v<N>`, or ConfigMaps) without the `helm` binary: the current (highest) revision, its status, chart, app version and values hash, earlier revisions, and its hooks' last runs (their durations are measurements). The user values are never shown: only their SHA-256 and key names. Helm 3 and Helm 4 releases, gzip'ed or not; each release's decompression is capped.",
    keys: &[
        KeyDoc {
            name: "release",
            value: "name (required, templates allowed)",
            doc: "the release name",
        },
        KeyDoc {
            name: "namespace",
            value: "name (templates allowed)",
            doc: "the release's namespace (default: the kubeconfig context's, else `default`)",
        },
        KeyDoc {
            name: "kubeconfig, context",
            value: "path, name",
            doc: "how to reach the cluster, as for `kubernetes` (default: `$KUBECONFIG`, `~/.kube/config`, or in-cluster)",
        },
        KeyDoc {
            name: "driver",
            value: "`secret` or `configmap`",
            doc: "which Helm storage driver wrote the release (default `secret`, Helm's default)",
        },
        KeyDoc {
            name: "hooks",
            value: "list of hook names",
            doc: "hooks of the current revision that must have run and ended `Succeeded`",
        },
        KeyDoc {
            name: "after_revision",
            value: "number (templates allowed)",
            doc: "a revision captured earlier (before the deploy): the current revision must be higher",
        },
        KeyDoc {
            name: "file",
            value: "path",
            doc: "read a saved `kubectl get secrets -l owner=helm -o json` (or `configmaps`) instead of the cluster",
        },
        KeyDoc {
            name: "max_release_size",
            value: "size (default `16MiB`, at most `256MiB`)",
            doc: "cap on one revision's decompressed JSON; a larger one (a decompression bomb) is refused",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "status",
            value: "predicate on text",
            doc: "the current revision's status (`deployed`, `failed`, `pending-upgrade`…); a failure shows Helm's description",
        },
        KeyDoc {
            name: "revision",
            value: "predicate on a number",
            doc: "the current (highest) revision",
        },
        KeyDoc {
            name: "revisions",
            value: "predicate on a count",
            doc: "how many revisions are kept",
        },
        KeyDoc {
            name: "new_revision",
            value: "boolean",
            doc: "the current revision is above `after_revision`",
        },
        KeyDoc {
            name: "earlier_superseded",
            value: "boolean",
            doc: "every earlier revision is `superseded` (the others are listed)",
        },
        KeyDoc {
            name: "chart, chart_version, app_version",
            value: "predicate on text",
            doc: "the current revision's chart `name`, `version` and `appVersion`",
        },
        KeyDoc {
            name: "values_hash",
            value: "predicate on text",
            doc: "SHA-256 of the current revision's user values as canonical JSON (keys sorted, no spaces; none is `{}`): `helm get values R -o json | jq -cjS . | sha256sum`",
        },
        KeyDoc {
            name: "hooks_succeeded",
            value: "boolean",
            doc: "the current revision's hooks named in `hooks` (or, without `hooks`, every hook that ran) ended `Succeeded`; failures name the revision, hook, phase and time taken",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "`$.current` and `$.history[*]` (`revision`, `status`, `chart`, `chart_version`, `app_version`, `values_hash`, `value_keys`, `hooks[*].phase`…); also what `capture:` reads",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the attempt",
        },
    ],
    implied: "`status: deployed` unless `status` is written; `hooks_succeeded: true` when `hooks` is given; `new_revision: true` when `after_revision` is given",
    example: "- id: shop-release\n  helm:\n    release: shop\n    namespace: shop\n    hooks: [shop-migrate]\n    after_revision: \"{{ revision_before }}\"\n  expect:\n    chart_version: 0.8.0\n    app_version: 1.5.0\n    earlier_superseded: true\n  until: { within: 5m, every: 10s }\n- id: cache-release\n  helm: { release: cache, namespace: cache, driver: configmap }\n  expect: { values_hash: 3f1c0a4e8d2b7f6a5c9e1d0b4a7f2e8c6d3b9a1f5e0c7d2a8b4f6e1c3a9d5b7f }\n",
};
