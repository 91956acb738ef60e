//! The `http` probe kind: one HTTP request (with its redirect chain), its status, headers,
//! body, timings and HTTPS hygiene.

mod evidence;
mod expect;
mod facts;
mod hygiene;
mod run;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};
use shipcheck_plan::{Assertion, Pos};

pub use spec::HttpProbe;
pub(crate) use expect::{build as build_expect, implied_status, implies_status};
pub(crate) use facts::HttpFacts;
pub(crate) use run::{build_request, client_keeping};
pub(crate) use spec::parse as parse_spec;

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
    fn hints(&self) -> &'static [Hint] {
        HINTS
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
    fn implied(&self, _probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        if !expect.iter().any(expect::implies_status) {
            expect.insert(0, expect::implied_status(pos));
        }
    }
    fn captures(&self) -> bool {
        true
    }
    fn prepare(&self, probe: Arc<dyn Probe>, expect: &[Assertion]) -> Arc<dyn Probe> {
        match probe.as_any().downcast_ref::<HttpProbe>() {
            Some(p) if expect.iter().any(expect::is_error) => Arc::new(HttpProbe {
                expects_error: true,
                ..p.clone()
            }),
            _ => probe,
        }
    }
}

probe_impl!(HttpProbe, "http", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Sends one HTTP request (following redirects if asked; `samples` times when set) and records status, headers, body, every timing phase and the redirect chain. Cookies set along a `needs` chain are sent by the checks that need it; proxies come from `https_proxy`/`HTTPS_PROXY`, `http_proxy` and `no_proxy`/`NO_PROXY` (uppercase `HTTP_PROXY` is ignored, as curl does); on a redirect to another origin, `Authorization`, `Cookie` and every header holding a declared secret or a secret capture are dropped, and the evidence says so.",
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
            doc: "follow at most this many redirects (default 0: the chain is recorded, not followed; at most 20)",
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
        KeyDoc {
            name: "compressed",
            value: "boolean",
            doc: "send `Accept-Encoding: gzip, deflate, br` as curl `--compressed` does (default false); gzip, deflate and br bodies are decoded either way (bounded by max_body) and the evidence names wire and decoded sizes",
        },
        KeyDoc {
            name: "basic_auth",
            value: "{ user, password }",
            doc: "HTTP Basic credentials (templates; the password and the header are redacted)",
        },
        KeyDoc {
            name: "cert, key",
            value: "paths",
            doc: "a client certificate and its key (PEM, relative to the plan) for mutual TLS; both or neither",
        },
        KeyDoc {
            name: "multipart",
            value: "mapping of field → text or { file, content_type }",
            doc: "a `multipart/form-data` body (instead of json/form/body); files are relative to the plan, content_type defaults to application/octet-stream",
        },
        KeyDoc {
            name: "samples",
            value: "integer",
            doc: "send the request this many times, one after another, all within the check's `timeout` (default 1, at most 1000); measurements then include p50, p95 and max of the total times, which `latency` bounds, and the other expectations read the last response",
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
        KeyDoc {
            name: "redirects",
            value: "predicate on a number",
            doc: "redirects followed (hops after the first)",
        },
        KeyDoc {
            name: "final_url",
            value: "predicate on text",
            doc: "the URL of the last request of the chain",
        },
        KeyDoc {
            name: "error",
            value: "`timeout`, `connect`, `dns`, `tls` or `protocol`",
            doc: "the request must get no response, failing this way: the check then passes (an expected failure is an observation, not an error); a response, or another failure class, fails the check as an assertion",
        },
        KeyDoc {
            name: "latency",
            value: "{ p50, p95, max: bound on a duration }",
            doc: "percentiles (nearest rank) of the total times of a sampled check (`samples`)",
        },
    ],
    implied: "`status: 2xx` unless `status`, `https_redirect` or `error` is written (a check never passes on any response)",
    example: "- id: liveness\n  http: { get: \"{{ api }}/health/live\" }\n  expect: { status: 200, json: { \"$.status\": ok }, duration: { under: 200ms } }\n",
};

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "status",
        hint: "a 5xx is the service failing (its logs say why; a schema drift or a missing migration often shows here first); a 4xx is the request: credentials, path or method",
    },
    Hint {
        when: "json",
        hint: "the response's shape differs from what the plan expects: the deployed version is not the one the plan was written for, or the endpoint returns an error document",
    },
    Hint {
        when: "header",
        hint: "a proxy, ingress or CDN in front of the service strips or overrides headers; check its annotations and configuration",
    },
    Hint {
        when: "hsts",
        hint: "HSTS is usually set by the ingress or the TLS-terminating proxy, not the app; check that layer",
    },
    Hint {
        when: "security",
        hint: "security headers are usually set by the ingress or proxy; a new route or a bypassed proxy loses them",
    },
    Hint {
        when: "cookie",
        hint: "the session cookie's flags come from the framework's session settings (Secure, HttpOnly, SameSite); a production setting missing from this environment is the usual cause",
    },
    Hint {
        when: "duration",
        hint: "slow answers usually come from a cold cache, a slow query, or too few replicas; the performance table shows the phases",
    },
    Hint {
        when: "body",
        hint: "the page or document changed: a different build, an error page, or a proxy answering instead of the service",
    },
];
