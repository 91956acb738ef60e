//! What a `lint` check found, and the one query on it: findings at or above a level.

use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};
use shipcheck_report::{Finding, Severity};

use super::spec::LintLevel;

/// What the linter found.
#[derive(Debug, Clone, Default)]
pub struct LintFacts {
    /// Every finding, paths relative to the plan's directory.
    pub findings: Vec<Finding>,
    /// Files of a known kind that were linted.
    pub files_scanned: usize,
}

impl Facts for LintFacts {
    fn duration_ms(&self) -> f64 {
        0.0
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The number of findings at or above a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FindingsAtOrAbove(pub(super) LintLevel);

impl Select for FindingsAtOrAbove {
    fn subject(&self) -> String {
        let level = match self.0 {
            LintLevel::Info => "info",
            LintLevel::Warning => "warning",
            LintLevel::Error => "error",
        };
        format!("lint findings at or above {level}")
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &LintFacts = facts_as(facts, "lint")?;
        let n = f
            .findings
            .iter()
            .filter(|finding| level(finding.severity) >= self.0)
            .count();
        Ok(Selected::one(n))
    }
}

fn level(s: Severity) -> LintLevel {
    match s {
        Severity::Info => LintLevel::Info,
        Severity::Warning => LintLevel::Warning,
        Severity::Error => LintLevel::Error,
    }
}
