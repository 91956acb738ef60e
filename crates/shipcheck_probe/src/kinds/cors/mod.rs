//! The `cors` probe kind: two CORS preflights, from an allowed and from a disallowed
//! origin, and what the answers allow.

mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::Assertion;
use shipcheck_plan::Pos;
use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};

pub use facts::CorsFacts;
pub use spec::CorsProbe;

/// The `cors` kind's registry entry.
pub(crate) static KIND: CorsKind = CorsKind;

/// The `cors` kind.
pub(crate) struct CorsKind;

impl ProbeKind for CorsKind {
    fn name(&self) -> &'static str {
        "cors"
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
        spec::EXPECT
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        spec::expect(cx, key, v, out);
    }
    fn implied(&self, _: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        spec::implied(expect, pos);
    }
}

probe_impl!(CorsProbe, "cors", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Sends two preflights (`OPTIONS` with `Origin`, `Access-Control-Request-Method` and `Access-Control-Request-Headers`): one from `origin`, one from `disallowed_origin`.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL (required)",
            doc: "the resource preflighted",
        },
        KeyDoc {
            name: "origin",
            value: "text (required)",
            doc: "the origin that should be allowed",
        },
        KeyDoc {
            name: "method",
            value: "text",
            doc: "`Access-Control-Request-Method` (default `GET`)",
        },
        KeyDoc {
            name: "headers",
            value: "list",
            doc: "`Access-Control-Request-Headers`",
        },
        KeyDoc {
            name: "disallowed_origin",
            value: "text",
            doc: "an origin that must not be echoed back (default `https://shipcheck-disallowed.invalid`)",
        },
        KeyDoc {
            name: "insecure, ca_file",
            value: "boolean, path",
            doc: "as for `http`",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "allowed",
            value: "boolean",
            doc: "allow-origin is the origin or `*`, the method and every header are allowed; the report says which part is not",
        },
        KeyDoc {
            name: "rejects_other_origins",
            value: "boolean",
            doc: "the disallowed origin is not echoed back",
        },
        KeyDoc {
            name: "credentials",
            value: "boolean",
            doc: "`Access-Control-Allow-Credentials: true`",
        },
        KeyDoc {
            name: "methods, allow_headers",
            value: "predicate on text",
            doc: "the `Access-Control-Allow-Methods` / `-Headers` values",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "both preflights",
        },
    ],
    implied: "`allowed: true` and `rejects_other_origins: true`",
    example: "- id: cors\n  cors: { url: \"{{ api }}/api/v1/vehicles\", origin: \"https://app.example.com\", method: POST, headers: [authorization, content-type] }\n  expect: { credentials: true }\n",
};

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "preflight",
        hint: "the CORS middleware or the ingress does not answer OPTIONS for this origin; check its allowed origins",
    },
    Hint {
        when: "disallowed",
        hint: "the allowed-origins list is too wide (often `*` left from development)",
    },
];
