//! What a `logs` check observed: the lines in its window, the error lines, the lines not
//! in the expected format, counts by level.

use std::collections::BTreeMap;

use shipcheck_plan::kind::{Facts, Judge, Select, Selected, facts_as};

/// Lines kept as examples of errors or format violations.
pub(super) const EXAMPLES: usize = 10;

/// The window of lines read and judged.
#[derive(Debug, Default)]
pub(crate) struct LogFacts {
    /// Lines read (within the byte cap, from the end).
    pub(crate) read: usize,
    /// Lines in the window (`since`).
    pub(crate) judged: usize,
    /// Error lines in the window, counted.
    pub(crate) errors: usize,
    /// The first error lines (`line N: text`).
    pub(crate) error_examples: Vec<String>,
    /// Lines not in the expected format (`None`: no format given).
    pub(crate) invalid: Option<usize>,
    /// The first of them.
    pub(crate) invalid_examples: Vec<String>,
    /// Lines by level (`ERROR`, `WARNING`, `INFO`…).
    pub(crate) levels: BTreeMap<String, usize>,
    /// Whether any line carried a timestamp (a `since` without one judges every line).
    pub(crate) stamped: bool,
    pub(crate) duration_ms: f64,
}

impl Facts for LogFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `logs` expectation counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LogQuery {
    /// Error lines in the window.
    Errors,
    /// Lines not in the format.
    Invalid,
    /// Lines in the window.
    Lines,
}

impl Select for LogQuery {
    fn subject(&self) -> String {
        match self {
            LogQuery::Errors => "error lines",
            LogQuery::Invalid => "lines not in the format",
            LogQuery::Lines => "lines",
        }
        .into()
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &LogFacts = facts_as(facts, "logs")?;
        match self {
            LogQuery::Errors => Ok(Selected::one(f.errors)),
            LogQuery::Lines => Ok(Selected::one(f.judged)),
            LogQuery::Invalid => f.invalid.map(Selected::one).ok_or_else(|| "the check gives no `format`".into()),
        }
    }
    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &LogFacts = facts_as(facts, "logs").ok()?;
        let examples = match self {
            LogQuery::Errors => &f.error_examples,
            LogQuery::Invalid => &f.invalid_examples,
            LogQuery::Lines => return None,
        };
        (!examples.is_empty()).then(|| examples.join(" | "))
    }
}

/// `errors: none` / `format: valid`: nothing counted, the first lines named otherwise.
#[derive(Debug)]
pub(super) struct NoneOf(pub(super) LogQuery);

impl Judge for NoneOf {
    fn describe(&self) -> (String, String) {
        ("equals".into(), "none".into())
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let n = match self.0.select(facts) {
            Ok(s) => s.values.first().and_then(serde_json::Value::as_u64).unwrap_or(0),
            Err(e) => return (false, e),
        };
        let Ok(f) = facts_as::<LogFacts>(facts, "logs") else {
            return (false, "not logs".into());
        };
        let window = if f.stamped { "" } else { ", no timestamps: every line read was judged" };
        if n == 0 {
            return (true, format!("none in {} lines{window}", f.judged));
        }
        let note = self.0.note(facts).unwrap_or_default();
        (false, format!("{n} of {} lines{window}: {note}", f.judged))
    }
}
