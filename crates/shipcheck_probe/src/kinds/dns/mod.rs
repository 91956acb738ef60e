//! The `dns` probe kind: resolve a name (A or AAAA) with the system resolver or a given
//! nameserver. NXDOMAIN or an empty answer is a fact (`resolves: false`).

mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, shown};
use shipcheck_plan::{Assertion, Pos, Predicate};

use super::net_common::{flag, implied_true, query};
use facts::DnsQuery;

pub use spec::DnsProbe;

/// The `dns` kind's registry entry.
pub(crate) static KIND: DnsKind = DnsKind;

/// The `dns` kind.
pub(crate) struct DnsKind;

impl ProbeKind for DnsKind {
    fn name(&self) -> &'static str {
        "dns"
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
        &["json", "duration", "resolves", "includes", "excludes"]
    }
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        node: &Node,
        _base_dir: &Path,
        out: &mut Vec<Assertion>,
    ) {
        match key {
            "resolves" => flag(cx, node, "resolves", query(DnsQuery::Resolves), out),
            _ => addresses(cx, key, node, out),
        }
    }
    /// `resolves: true` unless written: NXDOMAIN or an empty answer fails the check.
    fn implied(&self, _probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let implied = implied_true(query(DnsQuery::Resolves), expect, pos);
        expect.splice(0..0, implied);
    }
}

/// `includes: [IP, …]` / `excludes: [IP, …]`: one assertion per address.
fn addresses(cx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    for item in cx.seq(v, key).unwrap_or_default() {
        let Some(text) = cx.text(item, "address") else {
            continue;
        };
        match text.parse::<std::net::IpAddr>() {
            Ok(ip) => out.push(Assertion {
                query: query(DnsQuery::Address(ip.to_string())),
                predicate: Predicate::Exists(key == "includes"),
                pos: item.pos(),
            }),
            Err(_) => cx.error(
                item.span,
                format!("{} is not an IP address", shown(item)),
                "invalid address",
            ),
        }
    }
}

probe_impl!(DnsProbe, "dns", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Resolves `A` or `AAAA` records with the system resolver, or by asking a given nameserver directly (UDP with EDNS, asked again over TCP when the UDP answer is truncated); a nameserver that does not answer within the timeout is an error (class `timeout`).",
    keys: &[
        KeyDoc {
            name: "name",
            value: "text, required",
            doc: "the name to resolve (templates allowed); the short form `dns: NAME` is the same",
        },
        KeyDoc {
            name: "type",
            value: "`A` or `AAAA`",
            doc: "the record type (default `A`)",
        },
        KeyDoc {
            name: "nameserver",
            value: "`IP[:PORT]`",
            doc: "ask this server (UDP, then TCP for a truncated answer; port 53 by default) instead of the system resolver",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "resolves",
            value: "boolean",
            doc: "the name resolved to at least one address (NXDOMAIN or an empty answer fails it)",
        },
        KeyDoc {
            name: "includes | excludes",
            value: "list of IP addresses",
            doc: "each address is (or is not) among the answers; one assertion per address",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "JSONPath into `{ name, type, nameserver, rcode, addresses }`",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the lookup",
        },
    ],
    implied: "`resolves: true` unless written",
    example: "- id: api-dns\n  dns: { name: api.example.com, nameserver: \"10.0.0.2\" }\n  expect: { includes: [203.0.113.10], excludes: [10.0.0.5] }\n",
};

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "address",
        hint: "the record points elsewhere than expected: a stale record, or a DNS change not yet propagated",
    },
    Hint {
        when: "resolves",
        hint: "the name does not resolve: a missing record, or a resolver that cannot see the zone",
    },
];
