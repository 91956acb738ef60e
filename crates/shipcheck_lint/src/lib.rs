//! `shipcheck lint`: production-readiness rules for deployment artifacts.
//!
//! The crate parses inputs once (through `shipcheck_source`), dispatches Kubernetes
//! objects, pod specs, containers, compose files, Dockerfiles and `.env` files to the
//! rules registered in `codes.rs` by their declared node kind, applies suppressions and
//! `.shipcheck.yaml`, and returns [`shipcheck_report::Finding`]s, which
//! [`LintOutcome::into_report`] turns into the shared [`shipcheck_report::Report`] (with the
//! metadata of the rules that fired).
//!
//! It does not format output (every format is a renderer in `shipcheck_render`), print,
//! read the environment, or decide exit codes.
//!
//! ```no_run
//! use shipcheck_lint::{LintOptions, lint_paths};
//! let outcome = lint_paths(&["deploy/".into()], &LintOptions::default())?;
//! println!("{} findings in {} files", outcome.findings.len(), outcome.files_scanned);
//! # Ok::<(), shipcheck_lint::LintError>(())
//! ```

mod codes;
mod config;
mod config_schema;
mod context;
mod engine;
mod error;
mod explain;
mod findings;
mod k8s;
mod mask;
mod nodes;
mod patterns;
mod registry;
mod report;
mod rule;
mod rules;
mod scan;
mod suppress;
#[cfg(test)]
mod test_support;

pub use codes::Rule;
pub use config::{CONFIG_FILE_NAME, Config, DEFAULT_PRODUCTION_NAMESPACE, Options};
pub use config_schema::{CONFIG_SCHEMA_ID, config_schema};
pub use engine::{
    LintInput, LintOptions, LintOutcome, lint_inputs, lint_paths, lint_stdin_text, read_inputs,
    read_stdin, stdin_inputs,
};
pub use error::LintError;
pub use explain::{explain_text, rule_markdown, rules_index_markdown, summary};
pub use report::rule_infos;
pub use rule::{Family, FixAvailability, RuleStatus};
pub use scan::{SecretHit, secrets_in_text};

/// Severity of a finding (re-exported from the report model).
pub use shipcheck_report::Severity;

#[cfg(test)]
mod tests;
