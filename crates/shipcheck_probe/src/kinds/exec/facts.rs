//! What an `exec` check observed (exit code, bounded output), and how its expectations
//! and captures read it.

use std::borrow::Cow;

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};
use shipcheck_plan::{Capture, CaptureSource};

use crate::capture::{one_json, regex_group};
use crate::value::shorten;

/// One run of the command.
#[derive(Debug, Clone, Default)]
pub struct ExecFacts {
    /// Exit code; `None` when a signal ended the command.
    pub exit_code: Option<i32>,
    /// Standard output (at most `max_output` bytes, lossily decoded).
    pub stdout: String,
    /// Standard error (at most `max_output` bytes, lossily decoded).
    pub stderr: String,
    /// Bytes the command wrote to each stream, counting what was not kept.
    pub stdout_bytes: u64,
    /// Bytes written to stderr.
    pub stderr_bytes: u64,
    /// Whether stdout was cut at `max_output`.
    pub stdout_cut: bool,
    /// Wall time of the run.
    pub duration_ms: f64,
}

impl Facts for ExecFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }

    fn json(&self) -> Result<Cow<'_, Value>, String> {
        if self.stdout_cut {
            return Err("stdout was cut at max_output, so it cannot be read as JSON".into());
        }
        serde_json::from_str(&self.stdout)
            .map(Cow::Owned)
            .map_err(|e| format!("stdout is not JSON ({e}): {}", shorten(self.stdout.clone())))
    }

    fn capture(&self, c: &Capture) -> Result<Value, String> {
        match &c.source {
            CaptureSource::JsonPath(path) => one_json(&*self.json()?, path, "matched nothing"),
            CaptureSource::Regex { pattern, group } => {
                regex_group(&self.stdout, pattern, *group, "stdout")
            }
            CaptureSource::Header(name) => Err(format!(
                "an exec check has no headers (`{name}`): capture from stdout"
            )),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What an `exec` expectation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExecQuery {
    /// The exit code.
    ExitCode,
    /// Standard output as text.
    Stdout,
    /// Standard error as text.
    Stderr,
}

impl Select for ExecQuery {
    fn subject(&self) -> String {
        match self {
            ExecQuery::ExitCode => "exit code",
            ExecQuery::Stdout => "stdout",
            ExecQuery::Stderr => "stderr",
        }
        .into()
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &ExecFacts = facts_as(facts, "exec")?;
        match self {
            ExecQuery::ExitCode => f
                .exit_code
                .map(Selected::one)
                .ok_or_else(|| "the command was ended by a signal".into()),
            ExecQuery::Stdout => Ok(Selected::one(f.stdout.clone())),
            ExecQuery::Stderr => Ok(Selected::one(f.stderr.clone())),
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &ExecFacts = facts_as(facts, "exec").ok()?;
        match self {
            ExecQuery::ExitCode if f.exit_code != Some(0) && !f.stderr.is_empty() => {
                Some(format!("stderr: {}", shorten(f.stderr.trim().to_owned())))
            }
            _ => None,
        }
    }
}
