//! Verdict, coverage and summary: the rules of DESIGN.md §4.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{CheckResult, Finding, Severity, Status};

/// The three readiness verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictStatus {
    /// Every planned check ran and passed.
    Ready,
    /// Only non-critical checks failed, errored or did not run, or something was skipped.
    ReadyWithCaveats,
    /// A critical check failed, errored or did not run, or the run was interrupted.
    NotReady,
}

impl VerdictStatus {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictStatus::Ready => "ready",
            VerdictStatus::ReadyWithCaveats => "ready-with-caveats",
            VerdictStatus::NotReady => "not-ready",
        }
    }

    /// The human form: `ready`, `ready with caveats`, `not ready`.
    pub fn label(self) -> &'static str {
        match self {
            VerdictStatus::Ready => "ready",
            VerdictStatus::ReadyWithCaveats => "ready with caveats",
            VerdictStatus::NotReady => "not ready",
        }
    }
}

/// The verdict and the reasons behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Verdict {
    /// The verdict.
    pub status: VerdictStatus,
    /// One line per check or condition that kept the verdict from `ready`.
    pub reasons: Vec<String>,
}

/// How much of the plan ran: "N of M planned checks ran".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// Checks in the plan.
    pub planned: usize,
    /// Checks that ran to a result (passed or failed).
    pub ran: usize,
    /// Checks that could not run.
    pub errored: usize,
    /// Checks skipped on purpose.
    pub skipped: usize,
    /// Checks not run (failed dependency or interruption).
    pub not_run: usize,
    /// `id: reason` of each skipped check.
    pub skipped_reasons: Vec<String>,
    /// The sentence form, e.g. `3 of 4 planned checks ran (passed or failed); 1 errored, 0 skipped, 0 not run`.
    pub text: String,
}

/// Counts per status and per finding severity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Number of checks.
    pub total: usize,
    /// Checks per status (`passed`, `failed`, `error`, `skipped`, `not-run`), all five present.
    pub by_status: BTreeMap<String, usize>,
    /// Findings per severity (`error`, `warning`, `info`), all three present.
    pub findings_by_severity: BTreeMap<String, usize>,
    /// Checks that passed only after one or more attempts did not (flaky), in plan order.
    /// They count as passed: the verdict rules do not change, the report names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flaky: Vec<Flaky>,
}

/// A check that passed only after earlier attempts failed or errored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Flaky {
    /// The check's id.
    pub id: String,
    /// Attempts made, the passing one included.
    pub attempts: u32,
    /// One-line notes of the attempts that did not pass (e.g. `status 503`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Flaky {
    /// The flaky entry for `c`, when it passed after an attempt that did not.
    pub fn of(c: &CheckResult) -> Option<Self> {
        if c.status != Status::Passed || !c.attempts.iter().any(|a| a.status != Status::Passed) {
            return None;
        }
        Some(Self {
            id: c.id.clone(),
            attempts: u32::try_from(c.attempts.len()).unwrap_or(u32::MAX),
            notes: c
                .attempts
                .iter()
                .filter(|a| a.status != Status::Passed)
                .map(|a| match &a.note {
                    Some(n) => format!("attempt {}: {n}", a.number),
                    None => format!("attempt {}: {}", a.number, a.status.as_str()),
                })
                .collect(),
        })
    }

    /// `` `id` passed only on attempt N (attempt 1: status 503) ``, for summaries.
    pub fn describe(&self) -> String {
        let mut s = format!("`{}` passed only on attempt {}", self.id, self.attempts);
        if !self.notes.is_empty() {
            s.push_str(&format!(" ({})", self.notes.join("; ")));
        }
        s
    }
}

impl Summary {
    /// Counts findings by severity into `findings_by_severity`.
    pub(crate) fn count_findings(&mut self, findings: &[Finding]) {
        for sev in [Severity::Error, Severity::Warning, Severity::Info] {
            let n = findings.iter().filter(|f| f.severity == sev).count();
            self.findings_by_severity.insert(sev.as_str().to_owned(), n);
        }
    }

    /// Count of checks with the given status.
    pub fn count(&self, status: Status) -> usize {
        self.by_status.get(status.as_str()).copied().unwrap_or(0)
    }
}

/// Derives verdict, coverage and summary from check results.
pub fn summarize(checks: &[CheckResult], interrupted: bool) -> (Verdict, Coverage, Summary) {
    let mut reasons = Vec::new();
    let mut not_ready = false;
    let mut caveats = false;
    if interrupted {
        not_ready = true;
        reasons.push("the run was interrupted before every check finished".to_owned());
    }
    for c in checks {
        let what = match c.status {
            Status::Passed => continue,
            Status::Failed => "failed",
            Status::Error => "could not run (error)",
            Status::NotRun => "did not run",
            Status::Skipped => "was skipped",
        };
        let weight = if c.status == Status::Skipped {
            "check"
        } else if c.critical {
            "critical check"
        } else {
            "non-critical check"
        };
        let mut line = format!("{weight} `{}` {what}", c.id);
        if let Some(r) = c
            .reason
            .as_deref()
            .or(c.error.as_ref().map(|e| e.message.as_str()))
        {
            line.push_str(": ");
            line.push_str(r);
        }
        reasons.push(line);
        if c.critical && c.status != Status::Skipped {
            not_ready = true;
        } else {
            caveats = true;
        }
    }
    let status = if not_ready {
        VerdictStatus::NotReady
    } else if caveats {
        VerdictStatus::ReadyWithCaveats
    } else {
        VerdictStatus::Ready
    };

    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let mut by_status = BTreeMap::new();
    for s in [
        Status::Passed,
        Status::Failed,
        Status::Error,
        Status::Skipped,
        Status::NotRun,
    ] {
        by_status.insert(s.as_str().to_owned(), count(s));
    }
    let skipped_reasons: Vec<String> = checks
        .iter()
        .filter(|c| c.status == Status::Skipped)
        .map(|c| {
            format!(
                "{}: {}",
                c.id,
                c.reason.as_deref().unwrap_or("no reason given")
            )
        })
        .collect();
    let mut coverage = Coverage {
        planned: checks.len(),
        ran: count(Status::Passed) + count(Status::Failed),
        errored: count(Status::Error),
        skipped: count(Status::Skipped),
        not_run: count(Status::NotRun),
        skipped_reasons,
        text: String::new(),
    };
    coverage.text = format!(
        "{} of {} planned checks ran (passed or failed); {} errored, {} skipped{}, {} not run",
        coverage.ran,
        coverage.planned,
        coverage.errored,
        coverage.skipped,
        if coverage.skipped_reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", coverage.skipped_reasons.join("; "))
        },
        coverage.not_run
    );
    let summary = Summary {
        total: checks.len(),
        by_status,
        findings_by_severity: BTreeMap::new(),
        flaky: checks.iter().filter_map(Flaky::of).collect(),
    };
    (Verdict { status, reasons }, coverage, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, status: Status, critical: bool) -> CheckResult {
        let mut c = CheckResult::new(id, "http");
        c.status = status;
        c.critical = critical;
        c
    }

    const ALL: [Status; 5] = [
        Status::Passed,
        Status::Failed,
        Status::Error,
        Status::Skipped,
        Status::NotRun,
    ];

    /// The expected verdict for one check of `status` and `critical`, written out as a table.
    fn expected_single(status: Status, critical: bool) -> VerdictStatus {
        use Status::*;
        use VerdictStatus::*;
        match (status, critical) {
            (Passed, _) => Ready,
            (Failed | Error | NotRun, true) => NotReady,
            (Failed | Error | NotRun, false) => ReadyWithCaveats,
            (Skipped, _) => ReadyWithCaveats,
        }
    }

    fn rank(v: VerdictStatus) -> u8 {
        match v {
            VerdictStatus::Ready => 0,
            VerdictStatus::ReadyWithCaveats => 1,
            VerdictStatus::NotReady => 2,
        }
    }

    #[test]
    fn every_single_status_and_criticality() {
        for s in ALL {
            for critical in [true, false] {
                for interrupted in [false, true] {
                    let (v, cov, sum) = summarize(&[check("a", s, critical)], interrupted);
                    let want = if interrupted {
                        VerdictStatus::NotReady
                    } else {
                        expected_single(s, critical)
                    };
                    assert_eq!(
                        v.status, want,
                        "{s:?} critical={critical} interrupted={interrupted}"
                    );
                    assert_eq!(cov.planned, 1);
                    let ran = usize::from(matches!(s, Status::Passed | Status::Failed));
                    assert_eq!(cov.ran, ran, "{s:?}");
                    assert_eq!(cov.errored, usize::from(s == Status::Error));
                    assert_eq!(cov.skipped, usize::from(s == Status::Skipped));
                    assert_eq!(cov.not_run, usize::from(s == Status::NotRun));
                    assert_eq!(sum.count(s), 1);
                    if want != VerdictStatus::Ready {
                        assert!(!v.reasons.is_empty(), "a non-ready verdict gives reasons");
                    }
                }
            }
        }
    }

    #[test]
    fn every_pair_of_statuses_takes_the_worst() {
        for s1 in ALL {
            for c1 in [true, false] {
                for s2 in ALL {
                    for c2 in [true, false] {
                        let checks = [check("a", s1, c1), check("b", s2, c2)];
                        let (v, cov, _) = summarize(&checks, false);
                        let want = if rank(expected_single(s1, c1)) >= rank(expected_single(s2, c2))
                        {
                            expected_single(s1, c1)
                        } else {
                            expected_single(s2, c2)
                        };
                        assert_eq!(v.status, want, "{s1:?}/{c1} + {s2:?}/{c2}");
                        assert_eq!(cov.ran + cov.errored + cov.skipped + cov.not_run, 2);
                    }
                }
            }
        }
    }

    #[test]
    fn coverage_sentence_names_counts_and_skip_reasons() {
        let mut skipped = check("tls", Status::Skipped, true);
        skipped.reason = Some("no certificate yet".into());
        let checks = [
            check("a", Status::Passed, true),
            check("b", Status::Failed, false),
            check("c", Status::Error, true),
            skipped,
            check("e", Status::NotRun, true),
        ];
        let (v, cov, _) = summarize(&checks, false);
        assert_eq!(v.status, VerdictStatus::NotReady);
        assert_eq!(
            cov.text,
            "2 of 5 planned checks ran (passed or failed); 1 errored, 1 skipped (tls: no certificate yet), 1 not run"
        );
    }

    #[test]
    fn skipped_is_never_ready() {
        let (v, _, _) = summarize(
            &[
                check("a", Status::Passed, true),
                check("b", Status::Skipped, false),
            ],
            false,
        );
        assert_eq!(v.status, VerdictStatus::ReadyWithCaveats);
    }

    /// Issue 9.8: a check that passed only after retries was reported as plainly passed.
    #[test]
    fn checks_that_passed_after_failed_attempts_are_named_flaky_without_changing_the_verdict() {
        use crate::model::Attempt;
        let attempt = |number, status, note: Option<&str>| Attempt {
            number,
            status,
            duration_ms: 1.0,
            note: note.map(str::to_owned),
        };
        let mut flaky = check("flaky", Status::Passed, true);
        flaky.attempts = vec![
            attempt(1, Status::Failed, Some("status 503")),
            attempt(2, Status::Passed, None),
        ];
        let mut steady = check("steady", Status::Passed, true);
        steady.attempts = vec![attempt(1, Status::Passed, None)];
        let mut failed = check("failed", Status::Failed, false);
        failed.attempts = vec![
            attempt(1, Status::Failed, None),
            attempt(2, Status::Failed, None),
        ];
        let (v, _, sum) = summarize(&[flaky, steady, failed], false);
        assert_eq!(v.status, VerdictStatus::ReadyWithCaveats);
        assert_eq!(
            sum.flaky,
            vec![Flaky {
                id: "flaky".into(),
                attempts: 2,
                notes: vec!["attempt 1: status 503".into()],
            }]
        );
        assert_eq!(
            sum.flaky[0].describe(),
            "`flaky` passed only on attempt 2 (attempt 1: status 503)"
        );
        assert_eq!(
            sum.count(Status::Passed),
            2,
            "a flaky check still counts as passed"
        );
    }
}
