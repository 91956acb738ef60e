//! Comparing two runs (`shipcheck diff OLD.json NEW.json`): a pure function from two
//! [`Report`]s to a [`RunDiff`] — what changed status, which lint findings are new or
//! fixed, which measurements moved beyond a tolerance, and how coverage changed.
//!
//! Whether a measurement got worse depends on what it measures ([`better`]):
//!
//! | measurement | unit | better when |
//! |---|---|---|
//! | any (`total`, `first_byte`, `p50`, `p99`, `connect`, `dns`…) | `ms` | lower |
//! | name contains `error`, `fail`, `timeout`, `drop`, `loss`, `downtime`, `reject` | any | lower |
//! | name contains `rate_achieved`, `rps`, `throughput`, `per_second`, `success`, `availability`, `uptime` | `ratio`, `count` | higher |
//! | anything else (`body_size`, `samples`, certificate `days`, lint counts) | `bytes`, `days`, `count`, `ratio` | not judged (listed when it moved) |
//!
//! A change counts only when it is beyond the relative tolerance *and*, for `ms`, at least
//! [`DiffOptions::min_ms`] (timer noise on a millisecond is not a regression). A target that
//! was met and is now missed is a regression whatever the tolerance.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Finding, MeasureUnit, Report, Status};
use crate::verdict::VerdictStatus;

/// How to compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffOptions {
    /// Relative change ignored, as a fraction (0.1 is 10%).
    pub tolerance: f64,
    /// Absolute change in milliseconds ignored for `ms` measurements.
    pub min_ms: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            tolerance: 0.10,
            min_ms: 5.0,
        }
    }
}

/// Which way a change went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Worse than before: makes `diff` exit 1.
    Regressed,
    /// Better than before.
    Improved,
    /// Different, neither better nor worse (or not judged).
    Changed,
}

impl Change {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Regressed => "regressed",
            Change::Improved => "improved",
            Change::Changed => "changed",
        }
    }
}

/// Which direction of a measurement is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Better {
    /// Latency-like: lower is better.
    Lower,
    /// Throughput-like: higher is better.
    Higher,
    /// Not judged.
    Neither,
}

/// Which direction of measurement `name` in `unit` is better (the table in the module docs).
pub fn better(name: &str, unit: MeasureUnit) -> Better {
    let n = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&[
        "error", "fail", "timeout", "drop", "loss", "downtime", "reject",
    ]) {
        return Better::Lower;
    }
    match unit {
        MeasureUnit::Ms => Better::Lower,
        MeasureUnit::Ratio | MeasureUnit::Count
            if has(&[
                "rate_achieved",
                "rps",
                "throughput",
                "per_second",
                "success",
                "availability",
                "uptime",
            ]) =>
        {
            Better::Higher
        }
        _ => Better::Neither,
    }
}

/// Which run a report is, for headers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRef {
    /// `verify`, `demo`, `lint`.
    pub command: String,
    /// The plan's name, when the run had one.
    pub plan: Option<String>,
    /// Start time as recorded.
    pub started_at: String,
    /// The verdict of that run.
    pub verdict: VerdictStatus,
}

impl RunRef {
    fn of(r: &Report) -> Self {
        Self {
            command: r.run.command.clone(),
            plan: r.run.plan.as_ref().map(|p| p.name.clone()),
            started_at: r.run.started_at.clone(),
            verdict: r.verdict.status,
        }
    }
}

/// A check whose status differs between the runs (or that exists in only one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckChange {
    /// The check id.
    pub id: String,
    /// Status in the old run (`None`: the check is new).
    pub old: Option<Status>,
    /// Status in the new run (`None`: the check was removed).
    pub new: Option<Status>,
    /// Regressed (passed before, not now; or new and not passing), improved, or changed.
    pub change: Change,
    /// The new run's failure reason, when it has one.
    pub reason: Option<String>,
}

/// A measurement that moved beyond the tolerance, or whose target verdict changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasurementChange {
    /// The check that measured it.
    pub check: String,
    /// The measurement's name.
    pub name: String,
    /// Its unit.
    pub unit: MeasureUnit,
    /// Old value.
    pub old: f64,
    /// New value.
    pub new: f64,
    /// Relative change (0.25 is +25%); `None` when the old value is 0.
    pub relative: Option<f64>,
    /// Which direction is better.
    pub better: Better,
    /// The target, when the new run has one.
    pub target: Option<String>,
    /// The judgement.
    pub change: Change,
}

/// Coverage of both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageChange {
    /// Old `ran` of `planned`.
    pub old: (usize, usize),
    /// New `ran` of `planned`.
    pub new: (usize, usize),
    /// `None` when equal.
    pub change: Option<Change>,
}

/// Everything that differs between two runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunDiff {
    /// The old run.
    pub old: RunRef,
    /// The new run.
    pub new: RunRef,
    /// The tolerance used, as a fraction.
    pub tolerance: f64,
    /// Verdict change, `None` when equal.
    pub verdict: Option<Change>,
    /// Checks whose status changed, in the new run's order (removed ones last).
    pub checks: Vec<CheckChange>,
    /// Lint findings in the new run only.
    pub new_findings: Vec<Finding>,
    /// Lint findings in the old run only.
    pub fixed_findings: Vec<Finding>,
    /// Measurements that moved (check order, then name).
    pub measurements: Vec<MeasurementChange>,
    /// Coverage of both runs.
    pub coverage: CoverageChange,
}

impl RunDiff {
    /// Whether anything got worse (`diff` exits 1).
    pub fn regressed(&self) -> bool {
        self.verdict == Some(Change::Regressed)
            || !self.new_findings.is_empty()
            || self.coverage.change == Some(Change::Regressed)
            || self.checks.iter().any(|c| c.change == Change::Regressed)
            || self
                .measurements
                .iter()
                .any(|m| m.change == Change::Regressed)
    }

    /// Whether the runs are the same in everything compared.
    pub fn is_empty(&self) -> bool {
        self.verdict.is_none()
            && self.checks.is_empty()
            && self.new_findings.is_empty()
            && self.fixed_findings.is_empty()
            && self.measurements.is_empty()
            && self.coverage.change.is_none()
    }

    /// Counts of regressed and improved items, for one-line summaries.
    pub fn counts(&self) -> (usize, usize) {
        let mut changes: Vec<Change> = self.checks.iter().map(|c| c.change).collect();
        changes.extend(self.measurements.iter().map(|m| m.change));
        changes.extend(self.verdict);
        changes.extend(self.coverage.change);
        let regressed =
            changes.iter().filter(|c| **c == Change::Regressed).count() + self.new_findings.len();
        let improved =
            changes.iter().filter(|c| **c == Change::Improved).count() + self.fixed_findings.len();
        (regressed, improved)
    }
}

/// Compares `old` with `new`.
pub fn diff(old: &Report, new: &Report, opts: &DiffOptions) -> RunDiff {
    let (new_findings, fixed_findings) = findings(&old.findings, &new.findings);
    RunDiff {
        old: RunRef::of(old),
        new: RunRef::of(new),
        tolerance: opts.tolerance,
        verdict: verdict_change(old.verdict.status, new.verdict.status),
        checks: checks(old, new),
        new_findings,
        fixed_findings,
        measurements: measurements(old, new, opts),
        coverage: coverage(old, new),
    }
}

fn verdict_rank(v: VerdictStatus) -> u8 {
    match v {
        VerdictStatus::Ready => 0,
        VerdictStatus::ReadyWithCaveats => 1,
        VerdictStatus::NotReady => 2,
    }
}

fn verdict_change(old: VerdictStatus, new: VerdictStatus) -> Option<Change> {
    match verdict_rank(new).cmp(&verdict_rank(old)) {
        std::cmp::Ordering::Greater => Some(Change::Regressed),
        std::cmp::Ordering::Less => Some(Change::Improved),
        std::cmp::Ordering::Equal => None,
    }
}

fn checks(old: &Report, new: &Report) -> Vec<CheckChange> {
    let before: BTreeMap<&str, Status> = old
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    let mut out = Vec::new();
    for c in &new.checks {
        let was = before.get(c.id.as_str()).copied();
        if was == Some(c.status) {
            continue;
        }
        let now_passed = c.status == Status::Passed;
        let change = match was {
            // Passed before and not now; or new and not passing: skipped is never passed.
            Some(Status::Passed) | None if !now_passed => Change::Regressed,
            None => Change::Changed,
            Some(_) if now_passed => Change::Improved,
            Some(_) => Change::Changed,
        };
        out.push(CheckChange {
            id: c.id.clone(),
            old: was,
            new: Some(c.status),
            change,
            reason: c.reason.clone(),
        });
    }
    let now: Vec<&str> = new.checks.iter().map(|c| c.id.as_str()).collect();
    for c in old.checks.iter().filter(|c| !now.contains(&c.id.as_str())) {
        out.push(CheckChange {
            id: c.id.clone(),
            old: Some(c.status),
            new: None,
            change: Change::Changed,
            reason: None,
        });
    }
    out
}

/// A finding's identity across runs: rule, file and message (lines move when a file is
/// edited above the finding).
fn finding_key(f: &Finding) -> (&str, &str, &str) {
    (&f.rule, &f.path, &f.message)
}

fn findings(old: &[Finding], new: &[Finding]) -> (Vec<Finding>, Vec<Finding>) {
    // Multisets: two identical findings in a file are two findings.
    let only_in = |a: &[Finding], b: &[Finding]| {
        let mut left: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        for f in b {
            *left.entry(finding_key(f)).or_default() += 1;
        }
        a.iter()
            .filter(|f| match left.get_mut(&finding_key(f)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    (only_in(new, old), only_in(old, new))
}

fn measurements(old: &Report, new: &Report, opts: &DiffOptions) -> Vec<MeasurementChange> {
    let mut before = BTreeMap::new();
    for c in &old.checks {
        for m in &c.measurements {
            before.insert((c.id.as_str(), m.name.as_str()), m);
        }
    }
    let mut out = Vec::new();
    for c in &new.checks {
        for m in &c.measurements {
            let Some(was) = before.get(&(c.id.as_str(), m.name.as_str())) else {
                continue;
            };
            if was.unit != m.unit || !was.value.is_finite() || !m.value.is_finite() {
                continue;
            }
            let delta = m.value - was.value;
            let relative = (was.value != 0.0).then(|| delta / was.value.abs());
            let beyond = relative.is_none_or(|r| r.abs() > opts.tolerance)
                && delta != 0.0
                && (m.unit != MeasureUnit::Ms || delta.abs() >= opts.min_ms);
            let target_change = match (was.met, m.met) {
                (Some(true), Some(false)) => Some(Change::Regressed),
                (Some(false), Some(true)) => Some(Change::Improved),
                _ => None,
            };
            let dir = better(&m.name, m.unit);
            let change = match (target_change, beyond, dir) {
                (Some(t), _, _) => t,
                (None, false, _) => continue,
                (None, true, Better::Lower) if delta > 0.0 => Change::Regressed,
                (None, true, Better::Higher) if delta < 0.0 => Change::Regressed,
                (None, true, Better::Neither) => Change::Changed,
                (None, true, _) => Change::Improved,
            };
            out.push(MeasurementChange {
                check: c.id.clone(),
                name: m.name.clone(),
                unit: m.unit,
                old: was.value,
                new: m.value,
                relative,
                better: dir,
                target: m.target.clone(),
                change,
            });
        }
    }
    out
}

fn coverage(old: &Report, new: &Report) -> CoverageChange {
    let o = (old.coverage.ran, old.coverage.planned);
    let n = (new.coverage.ran, new.coverage.planned);
    let share = |(ran, planned): (usize, usize)| {
        if planned == 0 {
            1.0
        } else {
            ran as f64 / planned as f64
        }
    };
    let change = if o == n {
        None
    } else if share(n) < share(o) {
        Some(Change::Regressed)
    } else if share(n) > share(o) {
        Some(Change::Improved)
    } else {
        Some(Change::Changed)
    };
    CoverageChange {
        old: o,
        new: n,
        change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Measurement, RunInfo};

    fn report(checks: Vec<CheckResult>) -> Report {
        Report::new(RunInfo::default(), checks, Vec::new())
    }

    fn check(id: &str, status: Status, total_ms: f64) -> CheckResult {
        let mut c = CheckResult::new(id, "http");
        c.status = status;
        c.measurements
            .push(Measurement::new("total", total_ms, MeasureUnit::Ms));
        c
    }

    #[test]
    fn the_direction_table() {
        assert_eq!(better("p99", MeasureUnit::Ms), Better::Lower);
        assert_eq!(better("rate_achieved", MeasureUnit::Ratio), Better::Higher);
        assert_eq!(better("rps", MeasureUnit::Count), Better::Higher);
        assert_eq!(better("error_rate", MeasureUnit::Ratio), Better::Lower);
        assert_eq!(better("body_size", MeasureUnit::Bytes), Better::Neither);
        assert_eq!(better("days_left", MeasureUnit::Days), Better::Neither);
    }

    #[test]
    fn a_run_against_itself_is_empty() {
        let r = report(vec![check("a", Status::Passed, 10.0)]);
        let d = diff(&r, &r, &DiffOptions::default());
        assert!(d.is_empty() && !d.regressed(), "{d:?}");
    }

    #[test]
    fn latency_beyond_tolerance_and_floor_regresses() {
        let old = report(vec![check("a", Status::Passed, 100.0)]);
        let within = report(vec![check("a", Status::Passed, 109.0)]);
        assert!(diff(&old, &within, &DiffOptions::default()).is_empty());
        let slow = report(vec![check("a", Status::Passed, 400.0)]);
        let d = diff(&old, &slow, &DiffOptions::default());
        assert!(d.regressed());
        assert_eq!(d.measurements[0].change, Change::Regressed);
        assert_eq!(d.measurements[0].relative, Some(3.0));
        // Noise: 1 ms → 2 ms is +100% but under the floor.
        let tiny = |ms| report(vec![check("a", Status::Passed, ms)]);
        assert!(diff(&tiny(1.0), &tiny(2.0), &DiffOptions::default()).is_empty());
        // The way back is an improvement.
        let back = diff(&slow, &old, &DiffOptions::default());
        assert!(!back.regressed());
        assert_eq!(back.measurements[0].change, Change::Improved);
    }

    #[test]
    fn status_changes_are_judged() {
        let old = report(vec![
            check("a", Status::Passed, 1.0),
            check("b", Status::Failed, 1.0),
            check("gone", Status::Passed, 1.0),
        ]);
        let new = report(vec![
            check("a", Status::Error, 1.0),
            check("b", Status::Passed, 1.0),
            check("added", Status::Skipped, 1.0),
        ]);
        let d = diff(&old, &new, &DiffOptions::default());
        let by_id = |id: &str| d.checks.iter().find(|c| c.id == id).unwrap().change;
        assert_eq!(by_id("a"), Change::Regressed);
        assert_eq!(by_id("b"), Change::Improved);
        assert_eq!(by_id("added"), Change::Regressed);
        assert_eq!(by_id("gone"), Change::Changed);
        assert!(d.regressed());
    }
}
