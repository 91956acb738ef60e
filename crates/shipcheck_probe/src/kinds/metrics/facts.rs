//! What a `metrics` check observed, and how `valid` and `series` read it.

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

use super::exposition::Sample;
use super::selector::parse_selector;

/// A fetched exposition: status, and the samples or why it is invalid.
#[derive(Debug, Clone, Default)]
pub struct MetricsFacts {
    /// URL fetched.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Why the exposition is not valid (`None`: it is).
    pub problem: Option<String>,
    /// The samples.
    pub samples: Vec<Sample>,
    /// Time of the fetch.
    pub duration_ms: f64,
}

impl Facts for MetricsFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `metrics` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum MetricsQuery {
    /// The exposition parses.
    Valid,
    /// The values of the samples a selector (`name{label="v"}`) matches.
    Series(String),
}

impl Select for MetricsQuery {
    fn subject(&self) -> String {
        match self {
            MetricsQuery::Valid => "document valid".into(),
            MetricsQuery::Series(s) => format!("series {s}"),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &MetricsFacts = facts_as(facts, "metrics")?;
        match self {
            MetricsQuery::Valid => Ok(Selected::one(f.problem.is_none())),
            MetricsQuery::Series(sel) => {
                if let Some(p) = &f.problem {
                    return Err(p.clone());
                }
                let (name, matchers) =
                    parse_selector(sel).ok_or_else(|| format!("invalid selector {sel}"))?;
                let values = f
                    .samples
                    .iter()
                    .filter(|s| s.name == name)
                    .filter(|s| {
                        matchers.iter().all(|(l, v, eq)| {
                            let have = s.labels.iter().find(|(n, _)| n == l).map_or("", |(_, x)| x);
                            (have == v) == *eq
                        })
                    })
                    .map(|s| Value::from(s.value))
                    .collect();
                Ok(Selected {
                    values,
                    unit: shipcheck_plan::Unit::Number,
                })
            }
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &MetricsFacts = facts_as(facts, "metrics").ok()?;
        match self {
            MetricsQuery::Valid => f.problem.clone(),
            MetricsQuery::Series(_) => None,
        }
    }
}
