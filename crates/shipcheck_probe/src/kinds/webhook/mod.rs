//! The `webhook` probe kind: a body signed with HMAC-SHA256 (GitHub and Stripe presets or
//! a custom scheme), delivered once as signed and once tampered, to check that the
//! receiver verifies signatures.

mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query, StatusPattern};

use facts::WebhookQuery;
pub use facts::{Delivery, WebhookFacts};
pub use spec::WebhookProbe;

/// The `webhook` kind's registry entry.
pub(crate) static KIND: WebhookKind = WebhookKind;

/// The `webhook` kind.
pub(crate) struct WebhookKind;

fn query(q: WebhookQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

impl ProbeKind for WebhookKind {
    fn name(&self) -> &'static str {
        "webhook"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["duration", "accepted", "rejected"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        match key {
            "accepted" => predicates(cx, v, Target::Status, &query(WebhookQuery::Accepted), out),
            _ => predicates(cx, v, Target::Status, &query(WebhookQuery::Rejected), out),
        }
    }
    /// Unless written: the signed delivery gets a 2xx, the tampered one a 401 or 403 (for
    /// the deliveries that are sent).
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(w) = probe.as_any().downcast_ref::<WebhookProbe>() else {
            return;
        };
        for (q, sent, patterns) in [
            (
                WebhookQuery::Accepted,
                w.send_signed,
                vec![StatusPattern::Class(2)],
            ),
            (
                WebhookQuery::Rejected,
                w.send_tampered,
                vec![StatusPattern::Code(401), StatusPattern::Code(403)],
            ),
        ] {
            let q = query(q);
            if sent && !expect.iter().any(|a| a.query == q) {
                expect.push(Assertion {
                    query: q,
                    predicate: Predicate::StatusIn(patterns),
                    pos,
                });
            }
        }
    }
}

probe_impl!(WebhookProbe, "webhook", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Signs a body with HMAC-SHA256 and POSTs it twice: once as signed, and once with the body changed after signing (one byte appended), to check that the receiver verifies signatures. The signature is lower-case hex; `{signature}` and `{timestamp}` (Unix seconds) are replaced in the header value, `{body}` and `{timestamp}` in the signing string.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL (required)",
            doc: "the receiver (templates allowed)",
        },
        KeyDoc {
            name: "secret",
            value: "text (required)",
            doc: "the HMAC key; write it as `${VAR}` with `VAR` listed under `secrets:` (it is also redacted as a sent credential)",
        },
        KeyDoc {
            name: "preset",
            value: "`github`, `stripe`",
            doc: "`github`: `X-Hub-Signature-256: sha256={signature}` over `{body}`; `stripe`: `Stripe-Signature: t={timestamp},v1={signature}` over `{timestamp}.{body}`",
        },
        KeyDoc {
            name: "header, signature, signing_string",
            value: "text",
            doc: "a custom scheme (or overrides of the preset); `signature` defaults to `{signature}`, `signing_string` to `{body}`",
        },
        KeyDoc {
            name: "json | body",
            value: "value (required)",
            doc: "the payload (one of them)",
        },
        KeyDoc {
            name: "headers",
            value: "mapping",
            doc: "extra request headers",
        },
        KeyDoc {
            name: "deliver",
            value: "`both`, `signed`, `tampered`",
            doc: "which deliveries to send (default `both`)",
        },
        KeyDoc {
            name: "insecure, ca_file",
            value: "boolean, path",
            doc: "as for `http`",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "accepted",
            value: "status code, class or list",
            doc: "status of the signed delivery",
        },
        KeyDoc {
            name: "rejected",
            value: "status code, class or list",
            doc: "status of the tampered delivery; an endpoint that accepts anything fails it, saying so",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "both deliveries",
        },
    ],
    implied: "`accepted: 2xx` and `rejected: [401, 403]` for the deliveries sent",
    example: "- id: github-webhook\n  webhook:\n    url: \"{{ api }}/webhooks/github\"\n    secret: \"${WEBHOOK_SECRET}\"\n    preset: github\n    json: { action: opened, number: 1 }\n  expect: { accepted: 202, rejected: 401 }\n",
};
