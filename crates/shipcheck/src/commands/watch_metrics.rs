//! What `shipcheck watch` serves: the last run as Prometheus metrics (text exposition
//! format 0.0.4) and as a JSON status. Label values are the plan's check ids and kinds,
//! fixed statuses, failure classes and measurement names, so cardinality is bounded by
//! the plan. Nothing here keeps history beyond one timestamp per check.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use shipcheck_report::{MeasureUnit, Report, Status};

/// State kept across runs: the last report and when each check last passed.
#[derive(Debug, Default)]
pub(crate) struct WatchState {
    /// The last finished run.
    pub(crate) last: Option<Report>,
    /// Runs finished since start.
    pub(crate) runs: u64,
    /// Unix time (seconds) at which the last run finished.
    pub(crate) last_run_at: f64,
    /// Check id → unix time (seconds) of its last passed run.
    pub(crate) last_success: BTreeMap<String, f64>,
}

impl WatchState {
    /// Records a finished run at unix time `now`.
    pub(crate) fn record(&mut self, report: Report, now: f64) {
        for c in &report.checks {
            if c.status == Status::Passed {
                self.last_success.insert(c.id.clone(), now);
            }
        }
        // Checks no longer in the plan would otherwise keep a series forever.
        self.last_success
            .retain(|id, _| report.checks.iter().any(|c| &c.id == id));
        self.runs += 1;
        self.last_run_at = now;
        self.last = Some(report);
    }
}

const STATUSES: [Status; 5] = [
    Status::Passed,
    Status::Failed,
    Status::Error,
    Status::Skipped,
    Status::NotRun,
];

/// Escapes a label value: backslash, double quote and newline.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn family(s: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(s, "# HELP {name} {help}");
    let _ = writeln!(s, "# TYPE {name} {kind}");
}

/// A float in the exposition format.
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// The metric name suffix and the factor to base units for a measurement unit.
fn base_unit(unit: MeasureUnit) -> (&'static str, f64) {
    match unit {
        MeasureUnit::Ms => ("seconds", 0.001),
        MeasureUnit::Bytes => ("bytes", 1.0),
        MeasureUnit::Ratio => ("ratio", 1.0),
        MeasureUnit::Days => ("days", 1.0),
        MeasureUnit::Count => ("value", 1.0),
    }
}

/// The Prometheus exposition of the state.
pub(crate) fn exposition(state: &WatchState) -> String {
    let mut s = String::with_capacity(8 * 1024);
    family(
        &mut s,
        "shipcheck_runs_total",
        "counter",
        "Plan runs finished since shipcheck watch started.",
    );
    let _ = writeln!(s, "shipcheck_runs_total {}", state.runs);
    let Some(report) = &state.last else {
        return s;
    };
    family(
        &mut s,
        "shipcheck_run_last_timestamp_seconds",
        "gauge",
        "When the last run finished (unix time).",
    );
    let _ = writeln!(
        s,
        "shipcheck_run_last_timestamp_seconds {}",
        num(state.last_run_at)
    );
    family(
        &mut s,
        "shipcheck_run_duration_seconds",
        "gauge",
        "Duration of the last run.",
    );
    let _ = writeln!(
        s,
        "shipcheck_run_duration_seconds {}",
        num(report.run.duration_ms / 1000.0)
    );
    family(
        &mut s,
        "shipcheck_run_verdict",
        "gauge",
        "The last run's verdict: 1 for the verdict it reached, 0 for the others.",
    );
    for v in ["ready", "ready-with-caveats", "not-ready"] {
        let on = u8::from(report.verdict.status.as_str() == v);
        let _ = writeln!(s, "shipcheck_run_verdict{{verdict=\"{v}\"}} {on}");
    }
    family(
        &mut s,
        "shipcheck_run_coverage_ratio",
        "gauge",
        "Share of the planned checks that ran to a pass or a failure in the last run.",
    );
    let total = report.summary.total.max(1) as f64;
    let ran = (report.summary.count(Status::Passed) + report.summary.count(Status::Failed)) as f64;
    let _ = writeln!(s, "shipcheck_run_coverage_ratio {}", num(ran / total));

    family(
        &mut s,
        "shipcheck_check_up",
        "gauge",
        "1 when the check passed in the last run, else 0.",
    );
    for c in &report.checks {
        let _ = writeln!(
            s,
            "shipcheck_check_up{{check=\"{}\",kind=\"{}\",critical=\"{}\"}} {}",
            label(&c.id),
            label(&c.kind),
            c.critical,
            u8::from(c.status == Status::Passed)
        );
    }
    family(
        &mut s,
        "shipcheck_check_status",
        "gauge",
        "The check's status in the last run: 1 for its status, 0 for the others.",
    );
    for c in &report.checks {
        for st in STATUSES {
            let _ = writeln!(
                s,
                "shipcheck_check_status{{check=\"{}\",status=\"{}\"}} {}",
                label(&c.id),
                st.as_str(),
                u8::from(c.status == st)
            );
        }
    }
    family(
        &mut s,
        "shipcheck_check_duration_seconds",
        "gauge",
        "Duration of the check in the last run, retries included.",
    );
    for c in &report.checks {
        let _ = writeln!(
            s,
            "shipcheck_check_duration_seconds{{check=\"{}\"}} {}",
            label(&c.id),
            num(c.duration_ms / 1000.0)
        );
    }
    family(
        &mut s,
        "shipcheck_check_failure",
        "gauge",
        "1 with the failure class of a check that failed or errored in the last run.",
    );
    for c in &report.checks {
        if let Some(e) = c.error.as_ref().filter(|_| c.status != Status::Passed) {
            let _ = writeln!(
                s,
                "shipcheck_check_failure{{check=\"{}\",class=\"{}\"}} 1",
                label(&c.id),
                e.class.as_str()
            );
        }
    }
    family(
        &mut s,
        "shipcheck_check_last_success_timestamp_seconds",
        "gauge",
        "When the check last passed (unix time).",
    );
    for (id, at) in &state.last_success {
        let _ = writeln!(
            s,
            "shipcheck_check_last_success_timestamp_seconds{{check=\"{}\"}} {}",
            label(id),
            num(*at)
        );
    }
    measurements(&mut s, report);
    s
}

/// Measurements that have targets (p95, downtime…), one gauge family per base unit, and
/// whether each target was met.
fn measurements(s: &mut String, report: &Report) {
    let mut by_unit: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut met = Vec::new();
    for c in &report.checks {
        for m in c.measurements.iter().filter(|m| m.target.is_some()) {
            let (unit, factor) = base_unit(m.unit);
            by_unit.entry(unit).or_default().push(format!(
                "{{check=\"{}\",measurement=\"{}\"}} {}",
                label(&c.id),
                label(&m.name),
                num(m.value * factor)
            ));
            if let Some(ok) = m.met {
                met.push(format!(
                    "{{check=\"{}\",measurement=\"{}\"}} {}",
                    label(&c.id),
                    label(&m.name),
                    u8::from(ok)
                ));
            }
        }
    }
    for (unit, lines) in by_unit {
        let name = format!("shipcheck_measurement_{unit}");
        family(
            s,
            &name,
            "gauge",
            "A measurement with a target in the plan, from the last run.",
        );
        for l in lines {
            let _ = writeln!(s, "{name}{l}");
        }
    }
    if !met.is_empty() {
        family(
            s,
            "shipcheck_measurement_target_met",
            "gauge",
            "1 when the measurement met its target in the last run, else 0.",
        );
        for l in met {
            let _ = writeln!(s, "shipcheck_measurement_target_met{l}");
        }
    }
}

/// `/status`: the last run's summary as JSON.
pub(crate) fn status_json(state: &WatchState) -> serde_json::Value {
    let Some(r) = &state.last else {
        return serde_json::json!({ "runs": state.runs, "last": null });
    };
    let checks: Vec<_> = r
        .checks
        .iter()
        .map(|c| serde_json::json!({ "id": c.id, "kind": c.kind, "status": c.status.as_str() }))
        .collect();
    serde_json::json!({
        "runs": state.runs,
        "last_run_at": state.last_run_at,
        "verdict": r.verdict.status.as_str(),
        "coverage": r.coverage.text,
        "duration_ms": r.run.duration_ms,
        "summary": r.summary,
        "checks": checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipcheck_report::{CheckError, CheckResult, FailureClass, RunInfo};

    fn report(status: Status) -> Report {
        let mut c = CheckResult::new("api \"v1\"", "http");
        c.status = status;
        if status == Status::Error {
            c.error = Some(CheckError {
                class: FailureClass::Connect,
                message: "refused".into(),
            });
        }
        Report::new(RunInfo::default(), vec![c], Vec::new())
    }

    #[test]
    fn up_follows_the_check_and_labels_are_escaped() {
        let mut state = WatchState::default();
        state.record(report(Status::Passed), 100.0);
        let text = exposition(&state);
        assert!(
            text.contains(
                "shipcheck_check_up{check=\"api \\\"v1\\\"\",kind=\"http\",critical=\"true\"} 1"
            ),
            "{text}"
        );
        state.record(report(Status::Error), 130.0);
        let text = exposition(&state);
        assert!(text.contains("critical=\"true\"} 0"), "{text}");
        assert!(
            text.contains("shipcheck_check_failure{check=\"api \\\"v1\\\"\",class=\"connect\"} 1")
        );
        assert!(text.contains(
            "shipcheck_check_last_success_timestamp_seconds{check=\"api \\\"v1\\\"\"} 100"
        ));
        assert!(text.contains("shipcheck_runs_total 2"));
    }
}
