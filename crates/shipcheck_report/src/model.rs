//! The report data types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::verdict::{Coverage, Summary, Verdict};

/// Version of the `report.json` layout; bumped on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The version of reports that carry no `schema_version`.
fn first_schema_version() -> u32 {
    1
}

/// One run of shipcheck: what ran, what was found, and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Layout version of this document ([`SCHEMA_VERSION`]); reports written before the
    /// field existed load as version 1.
    #[serde(default = "first_schema_version")]
    pub schema_version: u32,
    /// Run metadata.
    pub run: RunInfo,
    /// The readiness verdict, derived from `checks` and `run.interrupted`.
    pub verdict: Verdict,
    /// How much of the plan actually ran.
    pub coverage: Coverage,
    /// Counts per status and per finding severity.
    pub summary: Summary,
    /// Results of live checks, in plan order.
    pub checks: Vec<CheckResult>,
    /// Static findings (lint), sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Metadata of the rules behind `findings` (sorted by id), so renderers need no registry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleInfo>,
    /// Set when the report comes from `shipcheck lint`: what was linted and the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lint: Option<LintRun>,
}

impl Report {
    /// Builds a report, deriving verdict, coverage and summary from the results.
    pub fn new(run: RunInfo, checks: Vec<CheckResult>, mut findings: Vec<Finding>) -> Self {
        findings.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
        });
        let (verdict, coverage, mut summary) = crate::verdict::summarize(&checks, run.interrupted);
        summary.count_findings(&findings);
        Self {
            schema_version: SCHEMA_VERSION,
            run,
            verdict,
            coverage,
            summary,
            checks,
            findings,
            rules: Vec::new(),
            lint: None,
        }
    }

    /// Attaches the metadata of the rules behind the findings (sorted by id, deduplicated).
    #[must_use]
    pub fn with_rules(mut self, mut rules: Vec<RuleInfo>) -> Self {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        rules.dedup_by(|a, b| a.id == b.id);
        self.rules = rules;
        self
    }

    /// Marks the report as a lint run; findings at or above its `fail_on` threshold make
    /// the verdict `not ready` (as they make `lint` exit 1).
    #[must_use]
    pub fn with_lint(mut self, lint: LintRun) -> Self {
        let failing = lint.fail_on.map_or(0, |t| {
            self.findings.iter().filter(|f| f.severity >= t).count()
        });
        if let (Some(t), true) = (lint.fail_on, failing > 0) {
            self.verdict.status = crate::VerdictStatus::NotReady;
            self.verdict.reasons.push(format!(
                "{failing} lint finding{} at or above `{}`",
                if failing == 1 { "" } else { "s" },
                t.as_str()
            ));
        }
        self.lint = Some(lint);
        self
    }

    /// The metadata of rule `id`, when the report carries it.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Whether a finding at or above the lint threshold exists (`--fail-on`; errors when the
    /// report is not a lint run).
    pub fn findings_fail(&self) -> bool {
        let threshold = self
            .lint
            .as_ref()
            .map_or(Some(Severity::Error), |l| l.fail_on);
        threshold.is_some_and(|t| self.findings.iter().any(|f| f.severity >= t))
    }

    /// Exit code per DESIGN.md §2: 0 ready (or caveats without `strict`), 1 otherwise.
    pub fn exit_code(&self, strict: bool) -> i32 {
        match self.verdict.status {
            crate::VerdictStatus::Ready => 0,
            crate::VerdictStatus::ReadyWithCaveats if !strict => 0,
            _ => 1,
        }
    }
}

/// Metadata about the run itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunInfo {
    /// Tool name, `shipcheck`.
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// The command that produced the report (`verify`, `demo`, `lint`).
    pub command: String,
    /// The plan that was run, if any.
    pub plan: Option<PlanInfo>,
    /// Facts about the environment *as declared by the plan*, not verified.
    pub environment: BTreeMap<String, String>,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the whole run in milliseconds.
    pub duration_ms: f64,
    /// Host name of the machine that ran the checks (where the run came from, not the
    /// system under test).
    pub host: String,
    /// What is being verified (`release`, `version`, `commit` of the plan), as declared.
    #[serde(default, skip_serializing_if = "Subject::is_empty")]
    pub subject: Subject,
    /// True when the run was stopped early (Ctrl-C or global timeout).
    pub interrupted: bool,
    /// Why the run was interrupted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupt_reason: Option<String>,
}

/// What a run verifies, from the plan's `release`, `version` and `commit` keys: shown as
/// declared by the plan, not verified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Subject {
    /// The plan's `release` (e.g. a release name or Helm release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The plan's `version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The plan's `commit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Subject {
    /// True when the plan declared none of the three.
    pub fn is_empty(&self) -> bool {
        self.release.is_none() && self.version.is_none() && self.commit.is_none()
    }

    /// `release R · version V · commit C`, the declared parts only.
    pub fn describe(&self) -> String {
        [
            ("release", &self.release),
            ("version", &self.version),
            ("commit", &self.commit),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join(" · ")
    }
}

/// The plan behind a `verify` run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanInfo {
    /// The plan's `name`.
    pub name: String,
    /// Path of the plan file as given.
    pub path: String,
}

/// Outcome of one check. Exactly these five; skipped is never counted as passed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Ran, and every expectation held.
    Passed,
    /// Ran, and an expectation did not hold.
    Failed,
    /// Could not run (DNS, connect, TLS, timeout…); see [`CheckError`].
    Error,
    /// Deliberately not run (`skip:`, `when:`, `--only/--skip`), with a reason.
    Skipped,
    /// Not run because a dependency did not pass, or the run was interrupted.
    NotRun,
}

impl Status {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::NotRun => "not-run",
        }
    }
}

/// Why a check failed or could not run; one enum for every probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FailureClass {
    /// Name resolution failed.
    Dns,
    /// The connection could not be made (refused, unreachable, file missing).
    Connect,
    /// TLS handshake or certificate problem.
    Tls,
    /// An operation exceeded its timeout.
    Timeout,
    /// The peer spoke something unexpected (malformed HTTP, bad JSON…).
    Protocol,
    /// Authentication was refused.
    Auth,
    /// An expectation did not hold.
    Assertion,
}

impl FailureClass {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::Dns => "dns",
            FailureClass::Connect => "connect",
            FailureClass::Tls => "tls",
            FailureClass::Timeout => "timeout",
            FailureClass::Protocol => "protocol",
            FailureClass::Auth => "auth",
            FailureClass::Assertion => "assertion",
        }
    }
}

/// The error that stopped a check from running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckError {
    /// Classification of the failure.
    pub class: FailureClass,
    /// Human-readable detail, naming the host, file or operation.
    pub message: String,
}

/// The result of one planned check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckResult {
    /// The check's `id` in the plan.
    pub id: String,
    /// The check's title (defaults to the id).
    pub title: String,
    /// Probe kind (`http`, `sqlite`, `lint`…).
    pub kind: String,
    /// Whether a failure makes the deployment not ready.
    pub critical: bool,
    /// Final status.
    pub status: Status,
    /// Why the check was skipped or not run, or a one-line failure summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Set when `status` is `error`, and for failed assertions (`class: assertion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CheckError>,
    /// Milliseconds from run start to the check's start.
    pub started_ms: f64,
    /// Wall time of the check including retries, in milliseconds.
    pub duration_ms: f64,
    /// Every attempt made (retries and polling).
    pub attempts: Vec<Attempt>,
    /// Assertions of the final attempt, with expected and actual values.
    pub assertions: Vec<AssertionResult>,
    /// Numbers measured by the final attempt (timings, sizes…).
    pub measurements: Vec<Measurement>,
    /// Values captured for later checks (secret ones redacted).
    pub captures: Vec<CaptureRecord>,
    /// Transcripts of what was sent and received (redacted, truncated).
    pub evidence: Vec<Evidence>,
    /// For HTTP checks: the timing breakdown of the final exchange, every phase present
    /// (`null` when it does not apply, e.g. no `dns` for an IP address, no `tls` over http).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<HttpTimings>,
    /// Where the check is written in the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<SourcePos>,
    /// Values measured over time during the check (a load timeline, a drill's probes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series: Vec<Series>,
    /// What usually causes this kind of failure, from the probe kind (failed or errored
    /// checks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Files kept beside the report (a browser check's screenshot).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A position in a source file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourcePos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A named time series: values measured at offsets from the check's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    /// Name, e.g. `latency`, `probe status`, `requests per second`.
    pub name: String,
    /// Unit of the values.
    pub unit: MeasureUnit,
    /// The points, in time order.
    pub points: Vec<Point>,
}

/// One point of a [`Series`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// Milliseconds since the check started.
    pub t_ms: f64,
    /// The value.
    pub value: f64,
}

/// The phases of one HTTP exchange, in milliseconds (DESIGN.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HttpTimings {
    /// Name resolution; `None` for an IP address.
    pub dns: Option<f64>,
    /// TCP connect.
    pub connect: Option<f64>,
    /// TLS handshake; `None` over plain http.
    pub tls: Option<f64>,
    /// From sending the request to the response head.
    pub first_byte: Option<f64>,
    /// The whole exchange.
    pub total: f64,
}

impl CheckResult {
    /// A new result with the given id and kind, status `not-run`, and nothing recorded.
    pub fn new(id: &str, kind: &str) -> Self {
        Self {
            id: id.to_owned(),
            title: id.to_owned(),
            kind: kind.to_owned(),
            critical: true,
            status: Status::NotRun,
            reason: None,
            error: None,
            started_ms: 0.0,
            duration_ms: 0.0,
            attempts: Vec::new(),
            assertions: Vec::new(),
            measurements: Vec::new(),
            captures: Vec::new(),
            evidence: Vec::new(),
            timings: None,
            pos: None,
            series: Vec::new(),
            hint: None,
            attachments: Vec::new(),
        }
    }

    /// The assertions that did not hold.
    pub fn failed_assertions(&self) -> impl Iterator<Item = &AssertionResult> {
        self.assertions.iter().filter(|a| !a.passed)
    }
}

/// One attempt at a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Attempt {
    /// 1-based attempt number.
    pub number: u32,
    /// Outcome of this attempt.
    pub status: Status,
    /// Milliseconds this attempt took.
    pub duration_ms: f64,
    /// A one-line summary (e.g. `status 503`, `connect: connection refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An assertion (query + predicate) and how it came out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AssertionResult {
    /// What was queried, e.g. `status`, `json $.status`, `header content-type`.
    pub subject: String,
    /// The predicate, e.g. `equals`, `at_least`, `regex`.
    pub predicate: String,
    /// The expected value, as text.
    pub expected: String,
    /// The observed value, as text.
    pub actual: String,
    /// Whether the assertion held.
    pub passed: bool,
}

/// A measured number, optionally compared with a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measurement {
    /// Name, e.g. `total`, `first_byte`, `body_size`, `p95`.
    pub name: String,
    /// The measured value.
    pub value: f64,
    /// Unit of `value`; renderers format by it.
    pub unit: MeasureUnit,
    /// The target as written in the plan, e.g. `< 200ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Whether the target was met, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
}

/// The unit of a [`Measurement`] (serialised as `ms`, `bytes`, `ratio`, `days`, `count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeasureUnit {
    /// Milliseconds.
    Ms,
    /// Bytes.
    Bytes,
    /// A fraction (0.05 is 5%).
    Ratio,
    /// Days (certificate lifetimes).
    Days,
    /// A plain count (also any unit this version does not know).
    #[serde(other)]
    Count,
}

impl MeasureUnit {
    /// The name used in `report.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureUnit::Ms => "ms",
            MeasureUnit::Bytes => "bytes",
            MeasureUnit::Count => "count",
            MeasureUnit::Ratio => "ratio",
            MeasureUnit::Days => "days",
        }
    }
}

impl Measurement {
    /// A measurement without a target.
    pub fn new(name: impl Into<String>, value: f64, unit: MeasureUnit) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
            target: None,
            met: None,
        }
    }
}

/// A value a check captured for later checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaptureRecord {
    /// Variable name.
    pub name: String,
    /// The value as text (redacted when secret).
    pub value: String,
    /// Whether the capture is marked `secret: true`.
    pub secret: bool,
}

/// A piece of evidence: a request/response or query transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// What this is, e.g. `request`, `response`, `query`, `redirect 1`.
    pub label: String,
    /// The transcript text (redacted, truncated to a cap).
    pub text: String,
    /// True when `text` was cut at the evidence cap.
    #[serde(default)]
    pub truncated: bool,
}

/// A file kept beside the report, e.g. a browser check's screenshot. A fresh run carries
/// its bytes (`data_base64`), which the CLI writes to `path` in the output directory and the
/// HTML report embeds; a saved `report.json` carries only the path, media type and size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// What this is, e.g. `screenshot`.
    pub label: String,
    /// Where the file is, relative to the report's directory (`attachments/<check>-1.png`).
    pub path: String,
    /// Its media type, e.g. `image/png`.
    pub media_type: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its content in standard base64, while the report is in memory (never in
    /// `report.json`: the file is beside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_base64: Option<String>,
}

impl Attachment {
    /// An attachment holding `data` (its path is given by the runner, which knows the check).
    pub fn new(label: &str, media_type: &str, data: &[u8]) -> Self {
        use base64::Engine as _;
        Self {
            label: label.to_owned(),
            path: String::new(),
            media_type: media_type.to_owned(),
            bytes: data.len() as u64,
            data_base64: Some(base64::engine::general_purpose::STANDARD.encode(data)),
        }
    }

    /// Its content, when the report carries it.
    pub fn data(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        let text = self.data_base64.as_deref()?;
        base64::engine::general_purpose::STANDARD.decode(text).ok()
    }

    /// Whether `path` is a plain relative path under `attachments/` (letters, digits, `.`,
    /// `-`, `_`, one `/`; no `..`): the only paths the CLI writes and the renderers link.
    pub fn has_safe_path(&self) -> bool {
        let Some(name) = self.path.strip_prefix("attachments/") else {
            return false;
        };
        !name.is_empty()
            && !name.starts_with('.')
            && !name.contains("..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    }

    /// Whether it is an image the reports show (PNG or JPEG).
    pub fn is_image(&self) -> bool {
        matches!(self.media_type.as_str(), "image/png" | "image/jpeg")
    }

    /// The file name extension for its media type.
    pub fn extension(&self) -> &'static str {
        match self.media_type.as_str() {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "text/plain" => "txt",
            _ => "bin",
        }
    }
}

impl Report {
    /// This report without attachment contents (their files are beside it).
    pub fn without_attachment_data(&self) -> Report {
        let mut r = self.clone();
        for c in &mut r.checks {
            for a in &mut c.attachments {
                a.data_base64 = None;
            }
        }
        r
    }
}

/// Severity of a static finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Should be fixed before production.
    Warning,
    /// Must be fixed before production.
    Error,
}

impl Severity {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A static finding from `lint`, with an exact position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Rule ID, e.g. `k8s/privileged-container`.
    pub rule: String,
    /// Effective severity.
    pub severity: Severity,
    /// Present-tense message naming the offending value (secrets masked).
    pub message: String,
    /// File path as given on the command line (or the helm template name).
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// 1-based end line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// 1-based end column (exclusive), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// The source line(s) around the finding, secrets masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Imperative fix hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The plan check that produced this finding, for `lint` checks inside a plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_id: Option<String>,
}

/// Metadata of one lint rule, carried inside the report (SARIF rule help, terminal help).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RuleInfo {
    /// Rule ID, e.g. `k8s/privileged-container`.
    pub id: String,
    /// Rule name, e.g. `PrivilegedContainer`.
    pub name: String,
    /// One sentence: what the rule checks.
    pub summary: String,
    /// The rule's full explanation (Markdown), as `shipcheck rules ID` prints it.
    pub help: String,
    /// Severity when no config overrides it.
    pub default_severity: Severity,
}

/// What a `shipcheck lint` run covered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LintRun {
    /// Number of files linted (of a known kind).
    pub files_scanned: usize,
    /// The `--fail-on` threshold; `None` when findings never fail the run.
    pub fail_on: Option<Severity>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: "m".into(),
            path: "a.yaml".into(),
            line: 1,
            column: 1,
            end_line: None,
            end_column: None,
            snippet: None,
            help: None,
            check_id: None,
        }
    }

    #[test]
    fn a_lint_run_is_not_ready_exactly_when_findings_reach_fail_on() {
        let findings = vec![finding("x/warn", Severity::Warning)];
        let lint = |fail_on| {
            Report::new(RunInfo::default(), Vec::new(), findings.clone()).with_lint(LintRun {
                files_scanned: 1,
                fail_on,
            })
        };
        let strict = lint(Some(Severity::Warning));
        assert_eq!(strict.verdict.status, crate::VerdictStatus::NotReady);
        assert!(strict.findings_fail());
        assert_eq!(
            strict.verdict.reasons,
            ["1 lint finding at or above `warning`"]
        );
        for relaxed in [lint(Some(Severity::Error)), lint(None)] {
            assert_eq!(relaxed.verdict.status, crate::VerdictStatus::Ready);
            assert!(!relaxed.findings_fail());
        }
    }

    #[test]
    fn old_reports_without_rules_or_lint_still_load() {
        let report = Report::new(RunInfo::default(), Vec::new(), Vec::new());
        let mut json = serde_json::to_value(&report).unwrap();
        assert!(json.get("rules").is_none() && json.get("lint").is_none());
        json.as_object_mut().unwrap().remove("rules");
        let back: Report = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, report);
        json.as_object_mut().unwrap().remove("schema_version");
        let old: Report = serde_json::from_value(json).unwrap();
        assert_eq!(old.schema_version, 1);
    }
}
