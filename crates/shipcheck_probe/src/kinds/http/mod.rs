//! The `http` probe kind: one HTTP request (with its redirect chain), its status, headers,
//! body, timings and HTTPS hygiene.

mod expect;
mod facts;
mod hygiene;
mod run;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::Assertion;
use shipcheck_plan::kind::{
    BoxFuture, KeyDoc, KindDoc, Observed, Probe, ProbeContext, ProbeError, ProbeKind,
};
use shipcheck_plan::syntax::{Ctx, Node};

pub use spec::HttpProbe;

/// The `http` kind's registry entry.
pub(crate) static KIND: HttpKind = HttpKind;

/// The `http` kind.
pub(crate) struct HttpKind;

impl ProbeKind for HttpKind {
    fn name(&self) -> &'static str {
        "http"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        expect::KEYS
    }
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        node: &Node,
        _base_dir: &Path,
        out: &mut Vec<Assertion>,
    ) {
        expect::build(cx, key, node, out);
    }
    fn captures(&self) -> bool {
        true
    }
}

impl Probe for HttpProbe {
    fn kind(&self) -> &'static str {
        "http"
    }
    fn observe<'a>(
        &'a self,
        cx: &'a ProbeContext<'a>,
    ) -> BoxFuture<'a, Result<Observed, ProbeError>> {
        Box::pin(run::observe(self, cx))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

static DOC: KindDoc = KindDoc {
    summary: "Sends one HTTP request (following redirects if asked) and records status, headers, body, every timing phase and the redirect chain.",
    keys: &[
        KeyDoc {
            name: "get | post | put | patch | delete | head | options",
            value: "URL",
            doc: "short form: the method and the URL (templates allowed)",
        },
        KeyDoc {
            name: "method, url",
            value: "text, URL",
            doc: "long form (method defaults to GET)",
        },
        KeyDoc {
            name: "headers",
            value: "mapping",
            doc: "request headers (values are templates)",
        },
        KeyDoc {
            name: "query",
            value: "mapping",
            doc: "query parameters appended to the URL",
        },
        KeyDoc {
            name: "json | form | body",
            value: "value",
            doc: "the request body: JSON, URL-encoded form, or raw text (at most one)",
        },
        KeyDoc {
            name: "follow_redirects",
            value: "integer",
            doc: "follow at most this many redirects (default 0: the chain is recorded, not followed; at most 50)",
        },
        KeyDoc {
            name: "insecure",
            value: "boolean",
            doc: "skip TLS certificate verification (default false)",
        },
        KeyDoc {
            name: "ca_file",
            value: "path",
            doc: "an extra trusted CA (PEM), relative to the plan",
        },
        KeyDoc {
            name: "max_body",
            value: "size",
            doc: "read at most this much of a response body (default 1MiB, at most 1GiB)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "status",
            value: "code, class (`2xx`) or list",
            doc: "the final response's status",
        },
        KeyDoc {
            name: "headers",
            value: "mapping of name → predicate",
            doc: "response headers (names case-insensitive)",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "JSONPath queries on the JSON body",
        },
        KeyDoc {
            name: "body",
            value: "predicate on text",
            doc: "the body as text (`contains`, `regex`…)",
        },
        KeyDoc {
            name: "body_size",
            value: "predicate on a size",
            doc: "bytes of body read",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "total time of the final exchange",
        },
        KeyDoc {
            name: "hsts",
            value: "{ max_age, include_subdomains }",
            doc: "the Strict-Transport-Security header",
        },
        KeyDoc {
            name: "https_redirect",
            value: "boolean or { port }",
            doc: "the first response is a 301/308 to the same host over https",
        },
        KeyDoc {
            name: "cookies",
            value: "{ NAME | \"*\": { secure, http_only, same_site } }",
            doc: "Set-Cookie attributes",
        },
        KeyDoc {
            name: "security_headers",
            value: "boolean",
            doc: "CSP, X-Content-Type-Options, frame protection and Referrer-Policy are all set",
        },
    ],
    implied: "nothing beyond what is written",
    example: "- id: liveness\n  http: { get: \"{{ api }}/health/live\" }\n  expect: { status: 200, json: { \"$.status\": ok }, duration: { under: 200ms } }\n",
};
