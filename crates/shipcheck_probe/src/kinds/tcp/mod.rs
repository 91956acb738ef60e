//! The `tcp` probe kind: is a port open? A refusal or silence is a fact (`open: false`).

mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};
use shipcheck_plan::{Assertion, Pos};

use super::net_common::{flag, implied_true, query};
use facts::PortOpen;

pub use spec::TcpProbe;

/// The `tcp` kind's registry entry.
pub(crate) static KIND: TcpKind = TcpKind;

/// The `tcp` kind.
pub(crate) struct TcpKind;

impl ProbeKind for TcpKind {
    fn name(&self) -> &'static str {
        "tcp"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn hints(&self) -> &'static [Hint] {
        HINTS
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, _base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["duration", "open"]
    }
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        _key: &str,
        node: &Node,
        _base_dir: &Path,
        out: &mut Vec<Assertion>,
    ) {
        flag(cx, node, "open", query(PortOpen), out);
    }
    /// `open: true` unless written: a refused or silent port fails the check.
    fn implied(&self, _probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let implied = implied_true(query(PortOpen), expect, pos);
        expect.splice(0..0, implied);
    }
}

probe_impl!(TcpProbe, "tcp", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Opens one TCP connection (each resolved address in turn, at most 8); a name that does not resolve is an error (class `dns`).",
    keys: &[
        KeyDoc {
            name: "host",
            value: "text, required",
            doc: "`HOST:PORT` or a URL (its host and port), templates allowed; the short form `tcp: HOST:PORT` is the same",
        },
        KeyDoc {
            name: "port",
            value: "integer",
            doc: "used when `host` has no port",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "open",
            value: "boolean",
            doc: "the port accepted the connection; a refused or silent port fails it, saying why",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the attempt",
        },
    ],
    implied: "`open: true` unless written; write `open: false` to assert that a port is closed",
    example: "- id: redis-not-exposed\n  tcp: \"{{ public_host }}:6379\"\n  expect: { open: false }\n",
};

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "port",
        hint: "a port that should be closed is reachable (or the reverse): check the Service type, security groups and firewall rules",
    },
];
