//! What a drill measured, and how its expectations read it.

use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// How one step of a fault drill went.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutcome {
    /// The step's name.
    pub name: String,
    /// From the step's start to the first probe due after it that met its `wait_until`
    /// (ms); `None` when none did within the bound or the step only ran a command.
    pub reached_ms: Option<f64>,
    /// Whether it did what it should (its command exited 0 and its wait was met).
    pub ok: bool,
    /// Why not.
    pub why: Option<String>,
}

/// The drill's measurements.
#[derive(Debug, Clone, Default)]
pub struct DrillFacts {
    /// Named values (`downtime`, `failed_probes`…), in milliseconds or counts.
    pub values: Vec<(&'static str, f64)>,
    /// Exit code of the command (the first failing step's, for steps); `None` when a
    /// signal ended it.
    pub exit_code: Option<i32>,
    /// Whether the command was stopped at its deadline.
    pub timed_out: bool,
    /// Whether the probes were up again when the drill ended.
    pub recovered: bool,
    /// The steps of a fault drill.
    pub steps: Vec<StepOutcome>,
    /// Wall time of the drill (ms).
    pub duration_ms: f64,
}

impl DrillFacts {
    /// The value named `name`, if measured.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

impl Facts for DrillFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a drill expectation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DrillQuery {
    /// A measured time (`downtime`, `failed_time`, `time_to_recovery`…).
    Time(&'static str),
    /// A count (`failed_probes`, `total_probes`).
    Count(&'static str),
    /// The command's exit code.
    ExitCode,
    /// Whether every step reached its state within its bound.
    Steps,
}

impl Select for DrillQuery {
    fn subject(&self) -> String {
        match self {
            DrillQuery::Time(n) | DrillQuery::Count(n) => (*n).to_owned(),
            DrillQuery::ExitCode => "exit code".into(),
            DrillQuery::Steps => "steps".into(),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &DrillFacts = facts_as(facts, "drill")?;
        match self {
            DrillQuery::Time(name) => f
                .value(name)
                .map(|v| Selected::with_unit(v, Unit::Millis))
                .ok_or_else(|| missing(f, name)),
            DrillQuery::Count(name) => f
                .value(name)
                .map(|v| Selected::one(v as u64))
                .ok_or_else(|| missing(f, name)),
            DrillQuery::ExitCode if f.timed_out => {
                Err("the command did not finish in time and was stopped".into())
            }
            DrillQuery::ExitCode => f
                .exit_code
                .map(Selected::one)
                .ok_or_else(|| "the command was ended by a signal".into()),
            DrillQuery::Steps => Ok(Selected::one(f.steps.iter().all(|s| s.ok))),
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &DrillFacts = facts_as(facts, "drill").ok()?;
        match self {
            DrillQuery::Steps => f
                .steps
                .iter()
                .find(|s| !s.ok)
                .map(|s| format!("{}: {}", s.name, s.why.as_deref().unwrap_or("failed"))),
            _ => None,
        }
    }

    fn measurement(&self) -> Option<&'static str> {
        match self {
            DrillQuery::Time(n) | DrillQuery::Count(n) => Some(n),
            _ => None,
        }
    }
}

fn missing(f: &DrillFacts, name: &str) -> String {
    match name {
        "time_to_recovery" if !f.recovered => "the probes had not recovered when the drill ended".into(),
        "time_to_recovery" | "time_to_first_error" => "no probe failed after the command started".into(),
        "mixed_version_window" => "no probe answered with a version".into(),
        _ => format!("{name} was not measured"),
    }
}
