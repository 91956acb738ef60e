//! The `lint` probe kind: the production-readiness linter over deployment files, inside a
//! plan, so one report covers the artifacts and the live system.

mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

pub use facts::LintFacts;
pub use spec::{LintLevel, LintProbe};

/// The `lint` kind's registry entry.
pub(crate) static KIND: LintKind = LintKind;

/// The `lint` kind.
pub(crate) struct LintKind;

impl ProbeKind for LintKind {
    fn name(&self) -> &'static str {
        "lint"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &[]
    }
    fn expect(&self, _: &mut Ctx<'_>, _: &str, _: &Node, _: &Path, _: &mut Vec<Assertion>) {}

    /// Findings at or above `fail_on` fail the check: `findings at or above fail_on == 0`.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(level) = probe
            .as_any()
            .downcast_ref::<LintProbe>()
            .and_then(|p| p.fail_on)
        else {
            return;
        };
        let assertion = Assertion {
            query: Query::Kind(KindQuery(Arc::new(facts::FindingsAtOrAbove(level)))),
            predicate: Predicate::Equals(Value::from(0)),
            pos,
        };
        if !expect.iter().any(|a| a.query == assertion.query) {
            expect.insert(0, assertion);
        }
    }
}

probe_impl!(LintProbe, "lint", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Runs the production-readiness linter (`shipcheck lint`) over deployment files — Kubernetes manifests, compose files, Dockerfiles, `.env` templates — so one report covers the artifacts and the live system; every finding goes into the report's findings, tagged with the check's id.",
    keys: &[
        KeyDoc {
            name: "paths",
            value: "path or list of paths (required)",
            doc: "files and directories, relative to the plan's directory (short forms: `lint: PATH`, `lint: [PATH, …]`); a missing path is an `error`",
        },
        KeyDoc {
            name: "fail_on",
            value: "`error`, `warning`, `info`, `never`",
            doc: "findings at or above this severity fail the check (default `error`)",
        },
        KeyDoc {
            name: "config",
            value: "path",
            doc: "lint configuration to use (default: the nearest `.shipcheck.yaml`)",
        },
        KeyDoc {
            name: "namespace",
            value: "text",
            doc: "namespace of objects that declare none (production rules apply to `prod`/`production`)",
        },
    ],
    expectations: &[],
    implied: "findings at or above `fail_on` equals 0 (none with `fail_on: never`)",
    example: "- id: deployment-files\n  lint: { paths: [deploy/k8s, deploy/compose.yaml, deploy/Dockerfile], fail_on: error }\n",
};
