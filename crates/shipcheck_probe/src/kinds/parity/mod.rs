//! The `parity` probe kind: two trees or archives (the package as built, the deployed
//! copy) compared by content hash, type and permission bits; differences allowed by glob
//! are reported but do not fail the check.

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

use facts::{Differences, NoDifferences};
pub use spec::ParityProbe;

/// The `parity` kind's registry entry.
pub(crate) static KIND: ParityKind = ParityKind;

/// The `parity` kind.
pub(crate) struct ParityKind;

fn query() -> Query {
    Query::Kind(KindQuery(Arc::new(Differences)))
}

impl ProbeKind for ParityKind {
    fn name(&self) -> &'static str {
        "parity"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["differences", "duration"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, _key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        if v.scalar_text().as_deref() == Some("none") {
            out.push(Assertion { query: query(), predicate: Predicate::Judge(KindJudge(Arc::new(NoDifferences))), pos: v.pos() });
        } else {
            predicates(cx, v, Target::Number, &query(), out);
        }
    }
    /// `differences: none` unless written.
    fn implied(&self, _: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        if !expect.iter().any(|a| a.query == query()) {
            expect.insert(0, Assertion { query: query(), predicate: Predicate::Judge(KindJudge(Arc::new(NoDifferences))), pos });
        }
    }
}

probe_impl!(ParityProbe, "parity", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Compares two trees — directories, zips or tar.gz files, e.g. the package as built and the deployed copy — by content hash (SHA-256), type and permission bits. Each difference is listed with its kind (`added`: only in `deployed`; `removed`: only in `local`; `changed`, `mode`, `type`); differences under an `allow` glob are reported but allowed. Directories themselves are not compared (archives often omit them).",
    keys: &[
        KeyDoc { name: "local", value: "path", doc: "the reference tree (relative to the plan)" },
        KeyDoc { name: "deployed", value: "path", doc: "the tree compared with it" },
        KeyDoc { name: "allow", value: "list of globs", doc: "paths whose differences are allowed (`*.db`, `logs/**`, `.env`; `*` also matches `/`)" },
        KeyDoc { name: "max_files", value: "integer", doc: "most entries read from each tree (default 100000, at most 1000000); more is an error" },
        KeyDoc { name: "modes", value: "bool", doc: "compare permission bits when both trees record them (default true)" },
    ],
    expectations: &[
        KeyDoc { name: "differences", value: "`none`, or a number predicate", doc: "`none`: no difference beyond the allowed ones, each listed with its kind; a number or bound counts them" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "time to read and compare both trees" },
    ],
    implied: "`differences: none`",
    example: "- id: production-parity\n  parity: { local: dist/package, deployed: /srv/app, allow: [\"*.db\", \"logs/**\", .env, tmp/restart.txt] }\n",
};
