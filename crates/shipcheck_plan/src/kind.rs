//! The contract a probe kind implements, and the registry the loader takes.
//!
//! A probe kind (`http`, `tls`, `postgres`…) lives in one folder of its own crate and owns
//! everything about itself: its plan keys ([`ProbeKind::parse`]), its expectation
//! vocabulary ([`ProbeKind::expect`]), the expectations it implies
//! ([`ProbeKind::implied`]), how it runs ([`Probe::observe`]) and how its queries read the
//! facts it observed ([`Select`], [`Judge`]). Nothing outside that folder names the kind:
//! the loader, the generic evaluation and the runner see only these traits, and a
//! [`Kinds`] table lists the kinds.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use shipcheck_report::{
    Attachment, Evidence, FailureClass, Finding, HttpTimings, Measurement, Series,
};

use crate::ast::{Assertion, Capture, Pos, Unit};
use crate::ctx::Ctx;
use crate::template;
use crate::yaml::Node;

/// A boxed future, as [`Probe::observe`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One probe kind: what the loader asks of it.
pub trait ProbeKind: Send + Sync + 'static {
    /// The plan key (`http`, `tls`).
    fn name(&self) -> &'static str;
    /// The kind's reference documentation (plan keys, expectations, example).
    fn doc(&self) -> &'static KindDoc;
    /// Parses the value under the kind's key; errors go to `cx` at their position.
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>>;
    /// The `expect:` keys this kind understands. `json` (JSONPath on [`Facts::json`]) and
    /// `duration` (on [`Facts::duration_ms`]) are built by the loader when listed here.
    fn expect_keys(&self) -> &'static [&'static str];
    /// Builds the assertions written under one of [`Self::expect_keys`] (other than `json`
    /// and `duration`).
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        node: &Node,
        base_dir: &Path,
        out: &mut Vec<Assertion>,
    );
    /// Adds the expectations the kind implies to those written (a check never passes
    /// without an expectation), where the kind wants them; `pos` is the check's position.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let _ = (probe, expect, pos);
    }
    /// Whether checks of this kind may `capture:` values.
    fn captures(&self) -> bool {
        false
    }
    /// What usually causes this kind's failures, for the report's issues (see [`Hint`]).
    fn hints(&self) -> &'static [Hint] {
        &[]
    }
    /// Lets the kind adjust its parsed probe to what the expectations need fetched (a
    /// database probe fetches only the tables the expectations name).
    fn prepare(&self, probe: Arc<dyn Probe>, expect: &[Assertion]) -> Arc<dyn Probe> {
        let _ = expect;
        probe
    }
}

/// What usually causes a failure: shown with a failed or errored check in the report.
#[derive(Debug)]
pub struct Hint {
    /// A failed assertion's subject, by its first word (`status`, `json`, `cookie`), or a
    /// failure class (`connect`, `timeout`, `tls`, `dns`, `protocol`, `auth`).
    pub when: &'static str,
    /// One short sentence.
    pub hint: &'static str,
}

/// Hints for failure classes that mean the same whatever the kind.
static CLASS_HINTS: &[Hint] = &[
    Hint {
        when: "dns",
        hint: "the name does not resolve from where shipcheck ran: a typo, a missing record, or a resolver that cannot see the zone",
    },
    Hint {
        when: "connect",
        hint: "nothing listens on that address and port, or a firewall or security group refuses the connection",
    },
    Hint {
        when: "timeout",
        hint: "the service is overloaded, stuck, or a network path drops packets silently; compare with the check's timeout",
    },
    Hint {
        when: "tls",
        hint: "an expired, self-signed or wrong-host certificate, a missing intermediate, or a proxy that does not speak TLS",
    },
    Hint {
        when: "protocol",
        hint: "the peer answered with something other than what the check speaks: a wrong port or a proxy in between",
    },
    Hint {
        when: "auth",
        hint: "wrong or expired credentials, or a secret that was not synced to this environment",
    },
];

/// The hint for a failed or errored check: the kind's hint for the first failed
/// assertion's subject, else the kind's or the generic hint for its failure class.
pub fn pick_hint<'a>(
    hints: &'static [Hint],
    class: Option<&str>,
    failed_subjects: impl IntoIterator<Item = &'a str>,
) -> Option<&'static str> {
    let first_word = |s: &'a str| s.split([' ', '.', '[']).next().unwrap_or(s);
    for subject in failed_subjects {
        let word = first_word(subject);
        if let Some(h) = hints.iter().find(|h| h.when == word || h.when == subject) {
            return Some(h.hint);
        }
    }
    let class = class?;
    hints
        .iter()
        .chain(CLASS_HINTS)
        .find(|h| h.when == class)
        .map(|h| h.hint)
}

/// The reference text of a kind, rendered into `docs/probes/`.
#[derive(Debug)]
pub struct KindDoc {
    /// One line: what the kind checks.
    pub summary: &'static str,
    /// Plan keys under the kind's key.
    pub keys: &'static [KeyDoc],
    /// Keys of `expect:`.
    pub expectations: &'static [KeyDoc],
    /// What a check of this kind expects when the plan writes nothing.
    pub implied: &'static str,
    /// A plan excerpt (YAML) using the kind.
    pub example: &'static str,
}

/// One documented key.
#[derive(Debug)]
pub struct KeyDoc {
    /// The key.
    pub name: &'static str,
    /// What it takes (`URL`, `duration`, `predicate on a number`…).
    pub value: &'static str,
    /// One line of documentation (with the default, if any).
    pub doc: &'static str,
}

/// A parsed probe, ready to run.
pub trait Probe: fmt::Debug + Send + Sync + Any {
    /// The kind's name.
    fn kind(&self) -> &'static str;
    /// Performs one attempt and returns what it observed; never judges success.
    fn observe<'a>(
        &'a self,
        cx: &'a ProbeContext<'a>,
    ) -> BoxFuture<'a, Result<Observed, ProbeError>>;
    /// For tests and [`ProbeKind::prepare`]: the concrete probe.
    fn as_any(&self) -> &dyn Any;
    /// True when an attempt ends early, with what it saw so far, once [`ProbeContext::stop`]
    /// is requested (a drill keeps its partial timeline on Ctrl-C). Other probes are dropped.
    fn winds_down(&self) -> bool {
        false
    }
}

/// A request to end the running attempts early (Ctrl-C, the global timeout). Probes that
/// [wind down](Probe::winds_down) look at it and return a [`ProbeError`] carrying their
/// partial measurements; the runner drops the others.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks every attempt sharing this signal to stop.
    pub fn request(&self) {
        self.0.store(true, Ordering::Release);
    }
    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// What a probe observed in one attempt, as typed facts its queries read.
pub trait Facts: fmt::Debug + Send + Sync + Any {
    /// Duration of the attempt in milliseconds, as the `duration` expectation sees it.
    fn duration_ms(&self) -> f64;
    /// The JSON document `json:` expectations query, when the kind has one.
    fn json(&self) -> Result<std::borrow::Cow<'_, Value>, String> {
        Err("this probe has no JSON document to query".into())
    }
    /// A value for `capture:`, when the kind supports captures.
    fn capture(&self, capture: &Capture) -> Result<Value, String> {
        let _ = capture;
        Err("this probe does not support captures".into())
    }
    /// For the kind's own queries: the concrete facts.
    fn as_any(&self) -> &dyn Any;
}

/// The values a query selects, and their unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// The matches (a predicate other than `exists`/`count` needs exactly one).
    pub values: Vec<Value>,
    /// Unit of numeric values.
    pub unit: Unit,
}

impl Selected {
    /// One plain value.
    pub fn one(v: impl Into<Value>) -> Self {
        Self {
            values: vec![v.into()],
            unit: Unit::Number,
        }
    }
    /// One value in `unit`.
    pub fn with_unit(v: impl Into<Value>, unit: Unit) -> Self {
        Self {
            values: vec![v.into()],
            unit,
        }
    }
    /// Nothing matched.
    pub fn none() -> Self {
        Self {
            values: Vec::new(),
            unit: Unit::Number,
        }
    }
}

/// A kind's query: what an assertion looks at in the kind's facts. It is [`Any`] so the
/// kind can read its own queries back (in [`ProbeKind::prepare`]).
pub trait Select: fmt::Debug + Send + Sync + Any {
    /// What is queried, for reports (`status`, `header content-type`, `certificate issuer`).
    fn subject(&self) -> String;
    /// The values selected from `facts`; `Err` says why there is nothing to select.
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String>;
    /// A note appended to the actual value (e.g. which certificate expires first).
    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let _ = facts;
        None
    }
    /// The measurement this query bounds, so the performance table shows the target.
    fn measurement(&self) -> Option<&'static str> {
        None
    }
}

/// A kind's own judgement, for expectations no generic predicate expresses (a schema
/// compared with an expected one).
pub trait Judge: fmt::Debug + Send + Sync {
    /// The predicate's name and the expected value, for reports.
    fn describe(&self) -> (String, String);
    /// Whether it holds, and the actual value as text.
    fn judge(&self, facts: &dyn Facts) -> (bool, String);
}

/// Downcasts facts to the kind's own type; the error names what was expected.
pub fn facts_as<'f, T: Facts>(facts: &'f dyn Facts, kind: &str) -> Result<&'f T, String> {
    facts
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| format!("this expectation applies to {kind} probes only"))
}

/// The kinds a plan may use, in documentation order.
#[derive(Clone, Copy)]
pub struct Kinds {
    kinds: &'static [&'static dyn ProbeKind],
}

impl fmt::Debug for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Kinds {
    /// A registry over a static table.
    pub const fn new(kinds: &'static [&'static dyn ProbeKind]) -> Self {
        Self { kinds }
    }
    /// The kind registered under `name`.
    pub fn get(&self, name: &str) -> Option<&'static dyn ProbeKind> {
        self.kinds.iter().copied().find(|k| k.name() == name)
    }
    /// Every kind.
    pub fn iter(&self) -> impl Iterator<Item = &'static dyn ProbeKind> + '_ {
        self.kinds.iter().copied()
    }
    /// Every kind's name.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.iter().map(|k| k.name())
    }
}

/// What the runner hands a probe for one attempt.
pub struct ProbeContext<'a> {
    /// Bound on the attempt.
    pub timeout: Duration,
    /// When the plan started (before its `setup`): "since the plan started" for kinds
    /// that read time-stamped output.
    pub plan_start: std::time::SystemTime,
    /// Resolves `{{ name }}` (plan vars and captures of needed checks).
    pub lookup: &'a (dyn Fn(&str) -> Option<Value> + Sync),
    /// Keep at most this many bytes of each body as evidence.
    pub evidence_cap: usize,
    /// Values that must never reach another origin: the plan's declared secrets and the
    /// values of `secret: true` captures made so far (a kind that follows redirects drops
    /// headers holding one on a cross-origin hop).
    pub sensitive: &'a [String],
    /// State shared along the check's `needs` chain (the `http` kind keeps its cookie jar
    /// here, so a login's session reaches the checks that need it).
    pub chain: &'a ChainState,
    /// Set when the run is being interrupted (see [`Probe::winds_down`]).
    pub stop: &'a Stop,
}

/// State a kind keeps along a `needs` chain: a check without `needs` starts a new one, a
/// check with `needs` shares the state of its first need. Each kind stores its own values
/// under its own key; the runner never looks inside.
#[derive(Clone, Default)]
pub struct ChainState(Arc<Mutex<Vec<ChainEntry>>>);

/// One kind's value in a [`ChainState`], under its key.
type ChainEntry = (&'static str, Arc<dyn Any + Send + Sync>);

impl fmt::Debug for ChainState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, _)| *k)
            .collect();
        f.debug_tuple("ChainState").field(&keys).finish()
    }
}

impl ChainState {
    /// The value stored under `key`, made by `make` on first use (or when the value stored
    /// under `key` has another type).
    pub fn get_or_insert<T: Any + Send + Sync>(
        &self,
        key: &'static str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, v)) = entries.iter().find(|(k, _)| *k == key)
            && let Ok(found) = Arc::clone(v).downcast::<T>()
        {
            return found;
        }
        let made = Arc::new(make());
        entries.retain(|(k, _)| *k != key);
        entries.push((key, Arc::clone(&made) as Arc<dyn Any + Send + Sync>));
        made
    }
}

impl ProbeContext<'_> {
    /// Renders a `{{ name }}` template; an undefined name is a `protocol` error.
    pub fn render(&self, s: &str) -> Result<String, ProbeError> {
        template::render_str(s, self.lookup).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("rendering the request: {e}"),
            )
        })
    }

    /// Renders a JSON value whose strings may hold templates.
    pub fn render_value(&self, v: &Value) -> Result<Value, ProbeError> {
        template::render_value(v, self.lookup).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("rendering the request: {e}"),
            )
        })
    }

    /// Renders and parses a URL template.
    pub fn url(&self, url_template: &str) -> Result<url::Url, ProbeError> {
        url::Url::parse(&self.render(url_template)?).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("invalid URL {url_template}: {e}"),
            )
        })
    }
}

/// An observation plus what the report keeps of it.
#[derive(Debug)]
pub struct Observed {
    /// The facts queries read.
    pub facts: Box<dyn Facts>,
    /// Transcripts (already stripped of credential headers; the runner redacts the rest).
    pub evidence: Vec<Evidence>,
    /// Timings and sizes.
    pub measurements: Vec<Measurement>,
    /// Values sent as credentials (Authorization, Cookie) that must be redacted.
    pub sent_secrets: Vec<String>,
    /// The phase breakdown of an HTTP exchange, for kinds that make one.
    pub timings: Option<HttpTimings>,
    /// Static findings, for kinds that produce them (lint).
    pub findings: Vec<Finding>,
    /// Values measured over time during the attempt (a drill's probes).
    pub series: Vec<Series>,
    /// Files for beside the report (a screenshot); the runner names their paths.
    pub attachments: Vec<Attachment>,
}

impl Observed {
    /// Facts with nothing else recorded yet.
    pub fn new(facts: impl Facts) -> Self {
        Self {
            facts: Box::new(facts),
            evidence: Vec::new(),
            measurements: Vec::new(),
            sent_secrets: Vec::new(),
            timings: None,
            findings: Vec::new(),
            series: Vec::new(),
            attachments: Vec::new(),
        }
    }
}

/// A check that could not run, classified.
#[derive(Debug, Clone)]
pub struct ProbeError {
    /// Failure class (`dns`, `connect`, `tls`, `timeout`, `protocol`, `auth`).
    pub class: FailureClass,
    /// What happened, naming the host, file or operation.
    pub message: String,
    /// Whatever evidence exists (e.g. the request that was attempted).
    pub evidence: Vec<Evidence>,
    /// Credentials that were sent before the failure.
    pub sent_secrets: Vec<String>,
    /// What was measured before the attempt ended (a stopped drill's partial timeline).
    pub partial: Option<Box<Partial>>,
}

/// Measurements and series an attempt made before it ended early.
#[derive(Debug, Clone, Default)]
pub struct Partial {
    /// Named values measured so far.
    pub measurements: Vec<Measurement>,
    /// Series measured so far.
    pub series: Vec<Series>,
}

impl ProbeError {
    /// A new error without evidence.
    pub fn new(class: FailureClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
            evidence: Vec::new(),
            sent_secrets: Vec::new(),
            partial: None,
        }
    }
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class.as_str(), self.message)
    }
}

impl std::error::Error for ProbeError {}

impl KindDoc {
    /// The kind's reference page (`docs/probes/<kind>.md`), generated from this text.
    pub fn markdown(&self, name: &str) -> String {
        let mut out = format!(
            "<!-- generated from the `{name}` kind's KindDoc; do not edit -->\n# The `{name}` probe\n\n{}\n",
            self.summary
        );
        let table = |out: &mut String, title: &str, rows: &[KeyDoc]| {
            if rows.is_empty() {
                return;
            }
            out.push_str(&format!(
                "\n## {title}\n\n| key | takes | meaning |\n|---|---|---|\n"
            ));
            for r in rows {
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    r.name,
                    r.value.replace('|', "\\|"),
                    r.doc.replace('|', "\\|")
                ));
            }
        };
        table(&mut out, "Plan keys", self.keys);
        table(&mut out, "Expectations (`expect:`)", self.expectations);
        out.push_str(&format!(
            "\n## Implied expectations\n\n{}\n\n## Example\n\n```yaml\n{}```\n",
            self.implied, self.example
        ));
        out
    }
}

#[cfg(test)]
mod hint_tests {
    use super::{Hint, pick_hint};

    static HINTS: &[Hint] = &[
        Hint {
            when: "status",
            hint: "kind: status",
        },
        Hint {
            when: "timeout",
            hint: "kind: timeout",
        },
    ];

    #[test]
    fn the_first_failed_subject_then_the_class_then_the_generic_class() {
        let got = pick_hint(HINTS, Some("assertion"), ["json $.a", "status"]);
        assert_eq!(got, Some("kind: status"));
        assert_eq!(pick_hint(HINTS, Some("timeout"), []), Some("kind: timeout"));
        let generic = pick_hint(HINTS, Some("connect"), []).unwrap_or_default();
        assert!(generic.contains("nothing listens"), "{generic}");
        assert_eq!(pick_hint(HINTS, Some("assertion"), ["json $.a"]), None);
        assert_eq!(pick_hint(&[], None, ["status"]), None);
    }
}
