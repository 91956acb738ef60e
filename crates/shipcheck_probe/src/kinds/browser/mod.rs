//! The `browser` probe kind: the page as a user sees it, in a real headless Chromium
//! (`shipcheck_browser`): it loads without console errors or failed requests, a short flow
//! (fill, click, wait) works, the title and the text of selectors are right, and the page's
//! own Navigation Timing is measured — with a screenshot of the end as evidence.

mod facts;
mod run;
mod spec;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

use super::db_common::{fetch_list, with_probe};
use super::document_expect::{imply_true, valid};
use facts::BrowserQuery;
pub use facts::BrowserFacts;
pub use spec::{BrowserProbe, StepSpec};

/// The `browser` kind's registry entry.
pub(crate) static KIND: BrowserKind = BrowserKind;

/// The `browser` kind.
pub(crate) struct BrowserKind;

fn query(q: BrowserQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

/// Puts `query == 0` first unless the plan wrote an expectation on it.
fn imply_none(q: BrowserQuery, expect: &mut Vec<Assertion>, pos: Pos) {
    let q = query(q);
    if !expect.iter().any(|a| a.query == q) {
        expect.insert(
            0,
            Assertion {
                query: q,
                predicate: Predicate::Equals(Value::from(0)),
                pos,
            },
        );
    }
}

impl ProbeKind for BrowserKind {
    fn name(&self) -> &'static str {
        "browser"
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
            "completed",
            "console_errors",
            "dom_content_loaded",
            "duration",
            "failed_requests",
            "load",
            "text",
            "title",
        ]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        match key {
            "completed" => valid(cx, v, Arc::new(BrowserQuery::Completed), out),
            "console_errors" => predicates(cx, v, Target::Number, &query(BrowserQuery::ConsoleErrors), out),
            "failed_requests" => predicates(cx, v, Target::Number, &query(BrowserQuery::FailedRequests), out),
            "title" => predicates(cx, v, Target::Text("title"), &query(BrowserQuery::Title), out),
            "dom_content_loaded" => {
                predicates(cx, v, Target::Duration, &query(BrowserQuery::DomContentLoaded), out);
            }
            "load" => predicates(cx, v, Target::Duration, &query(BrowserQuery::Load), out),
            _ => {
                for (sel, pv) in cx.map(v, "text").unwrap_or_default() {
                    if let Some(sel) = cx.text(sel, "a CSS selector") {
                        predicates(cx, pv, Target::Text("text"), &query(BrowserQuery::Text(sel)), out);
                    }
                }
            }
        }
    }
    /// `completed: true`, `console_errors: 0` and `failed_requests: 0`, unless written.
    fn implied(&self, _probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        imply_none(BrowserQuery::FailedRequests, expect, pos);
        imply_none(BrowserQuery::ConsoleErrors, expect, pos);
        imply_true(Arc::new(BrowserQuery::Completed), expect, pos);
    }
    /// The selectors whose text the expectations read are read in the page.
    fn prepare(&self, probe: Arc<dyn Probe>, expect: &[Assertion]) -> Arc<dyn Probe> {
        let read = fetch_list(expect, |q: &BrowserQuery| matches!(q, BrowserQuery::Text(_)))
            .into_iter()
            .filter_map(|q| match q {
                BrowserQuery::Text(sel) => Some(sel),
                _ => None,
            })
            .collect();
        with_probe(probe, |p: &mut BrowserProbe| p.read = read)
    }
}

probe_impl!(BrowserProbe, "browser", run::observe);

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "failed requests",
        hint: "a static asset missing from the build or the image (a hashed file name that changed), a wrong base path, or an API the page calls failing; a `blocked` request goes to a host missing from `hosts`",
    },
    Hint {
        when: "console errors",
        hint: "a script that throws in production (a missing global, an API answering HTML instead of JSON, a config value not set at build time)",
    },
    Hint {
        when: "page flow",
        hint: "a step that waits in vain: the login was refused (wrong credentials for this environment), the page's markup changed (the selector), or the page is slow (raise `step_timeout`); the screenshot shows where it stopped",
    },
];

static DOC: KindDoc = KindDoc {
    summary: "Opens a page in a real headless Chromium (Debian package `chromium`) with a fresh profile and its requests limited to the page's host and `hosts`, optionally runs a short flow (fill, click, wait), and checks what a user would meet: console errors, failed requests, the title, the text of elements, and the page's own Navigation Timing. A PNG screenshot of the end is kept beside the report. No Chromium is an error naming the package, never a skip.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL (required; templates allowed)",
            doc: "the page; `browser: URL` is the short form",
        },
        KeyDoc {
            name: "hosts",
            value: "list of `host` or `host:port`",
            doc: "other hosts the page may reach (a CDN, an API); requests to any other host are blocked and listed as failed",
        },
        KeyDoc {
            name: "wait_for",
            value: "CSS selector",
            doc: "wait for this element once the page has loaded (a single-page app's root)",
        },
        KeyDoc {
            name: "steps",
            value: "list",
            doc: "the flow, in order: `fill: { selector, text, secret }` types `text` into a field (`secret` defaults to true: the typed value is redacted from every output; the filled fields are blanked before the screenshot), `click: SELECTOR`, `wait_for: SELECTOR`, `wait_url: TEXT` (the URL contains it)",
        },
        KeyDoc {
            name: "step_timeout",
            value: "duration (default 10s)",
            doc: "bound of the page load and of each step",
        },
        KeyDoc {
            name: "viewport",
            value: "WIDTHxHEIGHT (default 1280x800)",
            doc: "the window, and the screenshot's size",
        },
        KeyDoc {
            name: "max_screenshot",
            value: "size (default 2MiB, at most 16MiB)",
            doc: "a larger screenshot is not kept (the evidence says so)",
        },
        KeyDoc {
            name: "chromium",
            value: "path",
            doc: "the Chromium binary (default: `SHIPCHECK_CHROMIUM`, else `chromium`, `chromium-browser`, `google-chrome-stable` or `google-chrome` on `PATH`)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "completed",
            value: "boolean",
            doc: "the page loaded and every step passed (else the step that failed and why)",
        },
        KeyDoc {
            name: "console_errors",
            value: "predicate on a count",
            doc: "`console.error` calls, uncaught exceptions and other error-level log entries (failed loads are counted in `failed_requests`), listed",
        },
        KeyDoc {
            name: "failed_requests",
            value: "predicate on a count",
            doc: "requests answered with a status ≥ 400, failed on the network or blocked, listed with URL and status or error (the browser's own `/favicon.ico` request is not counted)",
        },
        KeyDoc {
            name: "title",
            value: "predicate on text",
            doc: "the page's title at the end of the flow",
        },
        KeyDoc {
            name: "text",
            value: "mapping of CSS selector → predicate on text",
            doc: "the `innerText` of the first element each selector finds at the end of the flow (`exists: false`: no such element)",
        },
        KeyDoc {
            name: "dom_content_loaded, load",
            value: "bound on a duration",
            doc: "`domContentLoadedEventEnd` and `loadEventEnd` of the page's Navigation Timing (also measurements)",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the whole check, the browser's start included",
        },
    ],
    implied: "`completed: true`, `console_errors: 0` and `failed_requests: 0` unless written",
    example: "- id: login\n  browser:\n    url: \"{{ base }}/\"\n    wait_for: \"#login\"\n    steps:\n      - fill: { selector: \"#user\", text: demo, secret: false }\n      - fill: { selector: \"#password\", text: \"${DEMO_PASSWORD}\" }\n      - click: \"#login button\"\n      - wait_for: \"#dashboard\"\n  expect:\n    title: { contains: Demo }\n    text: { \"#dashboard h2\": { contains: Welcome } }\n    load: { under: 3s }\n",
};
