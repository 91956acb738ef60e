//! The checked plan: what the runner executes. Built by the loader from YAML; every
//! value here is already validated (durations parsed, ids unique, `needs` acyclic,
//! `${…}` expanded). `{{ name }}` templates remain in strings and JSON values and are
//! resolved at run time with [`crate::template`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A position in the plan file (1-based line and column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A loaded, validated plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan's `name`.
    pub name: String,
    /// Path of the plan file as given.
    pub path: PathBuf,
    /// Directory relative paths in the plan resolve against.
    pub base_dir: PathBuf,
    /// `release:`, `version:` and `commit:` — what the plan verifies, shown as declared.
    pub release: Option<String>,
    /// See [`Plan::release`].
    pub version: Option<String>,
    /// See [`Plan::release`].
    pub commit: Option<String>,
    /// `environment:` facts, shown as declared (not verified).
    pub environment: BTreeMap<String, String>,
    /// `vars:` after `${…}` expansion; may contain `{{ }}` referring to other vars.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// Names listed under `secrets:` (environment variables).
    pub secret_names: Vec<String>,
    /// Values of those variables at load time, to be redacted everywhere.
    pub secret_values: Vec<String>,
    /// The checks, in file order.
    pub checks: Vec<Check>,
    /// `defaults: { concurrency }`: at most this many checks at once, unless the command
    /// line says otherwise (the runner's default is 8).
    pub concurrency: Option<usize>,
    /// `setup:` — run before the checks, in order; a failed step makes every check `not-run`.
    pub setup: Vec<Step>,
    /// `teardown:` — run after the checks, always (after failures, Ctrl-C, the global timeout).
    pub teardown: Vec<Step>,
}

/// One step of `setup:` or `teardown:`.
#[derive(Debug, Clone)]
pub struct Step {
    /// The step's id (`setup-N`/`teardown-N` when not written).
    pub id: String,
    /// What it does.
    pub action: StepAction,
    /// Working directory (template, relative to the plan; default the plan's directory).
    pub dir: Option<String>,
    /// Extra environment variables (value templates).
    pub env: Vec<(String, String)>,
    /// Bound on a foreground step (default 60 s).
    pub timeout: Duration,
    /// Started and left running until the teardown (the system under test).
    pub background: bool,
    /// Where the step is written.
    pub pos: Pos,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepAction {
    /// A program and its arguments (templates), run without a shell.
    Argv(Vec<String>),
    /// A line run by `sh -c` (template).
    Shell(String),
    /// A new temporary directory, read as `{{ NAME }}`, removed at the teardown.
    TempDir(String),
}

/// `retry: { attempts, delay }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Total attempts (≥ 1).
    pub attempts: u32,
    /// Pause between attempts.
    pub delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 1,
            delay: Duration::ZERO,
        }
    }
}

/// `until: { within, every }`: poll until the expectations hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Until {
    /// Give up after this long.
    pub within: Duration,
    /// Pause between polls.
    pub every: Duration,
}

/// One planned check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Unique id.
    pub id: String,
    /// Title for reports (defaults to the id).
    pub title: String,
    /// Checks that must pass before this one runs.
    pub needs: Vec<String>,
    /// A failure of a critical check makes the deployment not ready (default true).
    pub critical: bool,
    /// Bound on one attempt.
    pub timeout: Duration,
    /// Retries on failure or error.
    pub retry: Retry,
    /// Readiness polling; overrides `retry` when present.
    pub until: Option<Until>,
    /// `skip: reason`: the check is reported skipped with this reason.
    pub skip: Option<String>,
    /// `exclusive: true`: the check runs with no other check in flight (for latency that
    /// is not shared with the rest of the plan).
    pub exclusive: bool,
    /// The probe to run: a registered kind's parsed probe.
    pub probe: Arc<dyn crate::kind::Probe>,
    /// Expectations, evaluated generically on the probe's observation.
    pub expect: Vec<Assertion>,
    /// Values to capture for checks that need this one.
    pub capture: Vec<Capture>,
    /// Where the check starts in the plan file.
    pub pos: Pos,
    /// What usually causes a failure of this check's kind.
    pub hints: &'static [crate::kind::Hint],
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// `json:` — sent as `application/json`; strings may hold templates.
    Json(serde_json::Value),
    /// `form:` — sent as `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// `body:` — sent as is (template).
    Raw(String),
}

/// One expectation: a query on the observation and the predicates it must satisfy.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// What to look at.
    pub query: Query,
    /// What must hold.
    pub predicate: Predicate,
    /// Where it was written.
    pub pos: Pos,
}

/// What an assertion looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// An RFC 9535 JSONPath into the JSON response body.
    JsonPath(String),
    /// Duration of the attempt (for HTTP: total time of the final exchange).
    Duration,
    /// A query of a registered kind, read from its own facts.
    Kind(KindQuery),
}

/// A registered kind's query ([`crate::kind::Select`]).
#[derive(Clone)]
pub struct KindQuery(pub Arc<dyn crate::kind::Select>);

impl std::fmt::Debug for KindQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl PartialEq for KindQuery {
    fn eq(&self, other: &Self) -> bool {
        self.0.subject() == other.0.subject()
    }
}

/// A registered kind's own judgement ([`crate::kind::Judge`]).
#[derive(Clone)]
pub struct KindJudge(pub Arc<dyn crate::kind::Judge>);

impl std::fmt::Debug for KindJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (p, e) = self.0.describe();
        write!(f, "{p} {e}")
    }
}

impl PartialEq for KindJudge {
    fn eq(&self, other: &Self) -> bool {
        self.0.describe() == other.0.describe()
    }
}

/// What a query's value must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// Equal to a literal (JSON value; numbers compare numerically).
    Equals(serde_json::Value),
    /// Not equal to a literal.
    NotEquals(serde_json::Value),
    /// The query matches (true) or does not match anything (false).
    Exists(bool),
    /// The value (as text) matches the regex (the source is kept for reports).
    Regex(String),
    /// Equal to one of these literals.
    OneOf(Vec<serde_json::Value>),
    /// Status code patterns: exact codes and classes like `2xx` (status only).
    StatusIn(Vec<StatusPattern>),
    /// The body/value contains this text.
    Contains(String),
    /// Number of JSONPath matches satisfies the inner predicate.
    Count(Box<Predicate>),
    /// Length of the value (array items, object keys, string chars) satisfies the inner predicate.
    Length(Box<Predicate>),
    /// ≥ (inclusive).
    AtLeast(Quantity),
    /// ≤ (inclusive).
    AtMost(Quantity),
    /// < (strict).
    Under(Quantity),
    /// > (strict).
    Over(Quantity),
    /// A registered kind's own judgement of its facts.
    Judge(KindJudge),
}

impl Predicate {
    /// The predicate with the `{{ name }}` templates of its expected values rendered (the
    /// literals of `equals`, `not_equals`, `one_of`, `contains`; a value that is exactly one
    /// template keeps the captured value's JSON type). Patterns, bounds and status codes are
    /// not templates.
    pub fn render(
        &self,
        lookup: &dyn Fn(&str) -> Option<serde_json::Value>,
    ) -> Result<Predicate, crate::template::TemplateError> {
        use crate::template::{render_str, render_value};
        Ok(match self {
            Predicate::Equals(v) => Predicate::Equals(render_value(v, lookup)?),
            Predicate::NotEquals(v) => Predicate::NotEquals(render_value(v, lookup)?),
            Predicate::OneOf(vs) => Predicate::OneOf(
                vs.iter()
                    .map(|v| render_value(v, lookup))
                    .collect::<Result<_, _>>()?,
            ),
            Predicate::Contains(s) => Predicate::Contains(render_str(s, lookup)?),
            Predicate::Count(inner) => Predicate::Count(Box::new(inner.render(lookup)?)),
            Predicate::Length(inner) => Predicate::Length(Box::new(inner.render(lookup)?)),
            other => other.clone(),
        })
    }
}

/// A status code pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    /// An exact code.
    Code(u16),
    /// A class: `2xx` is `Class(2)`.
    Class(u8),
}

/// A number with a unit, as written in `under: 200ms`, `at_most: 1MiB`, `under: 0.1%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    /// The value in the unit's base (milliseconds, bytes, plain number, percent).
    pub value: f64,
    /// The unit.
    pub unit: Unit,
}

/// Units of a [`Quantity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain number.
    Number,
    /// Milliseconds (written `5s`, `200ms`, `1m`…).
    Millis,
    /// Bytes (written `512B`, `10KiB`, `1MB`…).
    Bytes,
    /// Percent (written `0.1%`).
    Percent,
}

/// `capture: { name: "$.path" }` or the long form.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// Variable name.
    pub name: String,
    /// Where the value comes from.
    pub source: CaptureSource,
    /// Redact the value everywhere.
    pub secret: bool,
    /// Where it was written.
    pub pos: Pos,
}

/// Where a capture reads its value.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureSource {
    /// An RFC 9535 JSONPath into the JSON body (exactly one match).
    JsonPath(String),
    /// A response header (name lower-cased).
    Header(String),
    /// A regex over the body; the value is capture group `group` (default 1, or 0 without groups).
    Regex {
        /// The pattern.
        pattern: String,
        /// Capture group index.
        group: usize,
    },
}
