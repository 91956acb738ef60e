//! The shipcheck report model: the shared vocabulary of every command.
//!
//! A [`Report`] holds run metadata, check results (from `verify`), findings (from
//! `lint`), and the [`Verdict`] and [`Coverage`] derived from them. It is plain data:
//! serde-serialisable, and its JSON form *is* `report.json`.
//!
//! Responsibilities: the data types, the verdict/coverage rules of DESIGN.md §4, and
//! redaction of secrets ([`Redactor`]). Non-responsibilities: this crate does no I/O,
//! does not render, and knows nothing about probes.
//!
//! ```
//! use shipcheck_report::{CheckResult, Status, VerdictStatus, summarize};
//! let mut ok = CheckResult::new("liveness", "http");
//! ok.status = Status::Passed;
//! let (verdict, coverage, _summary) = summarize(&[ok], false);
//! assert_eq!(verdict.status, VerdictStatus::Ready);
//! assert_eq!(coverage.ran, 1);
//! ```

mod control;
pub mod diff;
mod model;
mod redact;
mod redact_credentials;
mod redact_hexdump;
mod redact_views;
mod schema;
mod verdict;

pub use control::strip_controls;
pub use model::{
    AssertionResult, Attachment, Attempt, CaptureRecord, CheckError, CheckResult, Evidence,
    FailureClass, Finding, HttpTimings, LintRun, MeasureUnit, Measurement, PlanInfo, Point, Report,
    RuleInfo, RunInfo, SCHEMA_VERSION, Series, Severity, SourcePos, Status, Subject,
};
pub use redact::{REDACTED, Redactor, redact_url_password};
pub use schema::{REPORT_SCHEMA_ID, report_schema};
pub use verdict::{Coverage, Flaky, Summary, Verdict, VerdictStatus, summarize};
