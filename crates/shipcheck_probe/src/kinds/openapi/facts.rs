//! What an `openapi` check observed, and how `valid`, `operations` and `json` read it.

use std::borrow::Cow;

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// A fetched OpenAPI document: status, and the operations or why it is invalid.
#[derive(Debug, Clone, Default)]
pub struct OpenApiFacts {
    /// URL fetched.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Why the document is not valid (`None`: it is).
    pub problem: Option<String>,
    /// The document (for `json:`), `Null` if it is not JSON.
    pub document: Value,
    /// Operations as `operationId` and `METHOD /path`.
    pub operations: Vec<String>,
    /// Time of the fetch.
    pub duration_ms: f64,
}

impl Facts for OpenApiFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        Ok(Cow::Borrowed(&self.document))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What an `openapi` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum OpenApiQuery {
    /// The document is OpenAPI 3.x.
    Valid,
    /// An operation (`operationId` or `METHOD /path`) exists.
    Operation(String),
}

impl Select for OpenApiQuery {
    fn subject(&self) -> String {
        match self {
            OpenApiQuery::Valid => "document valid".into(),
            OpenApiQuery::Operation(o) => format!("operation {o}"),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &OpenApiFacts = facts_as(facts, "openapi")?;
        match self {
            OpenApiQuery::Valid => Ok(Selected::one(f.problem.is_none())),
            OpenApiQuery::Operation(op) => {
                if let Some(p) = &f.problem {
                    return Err(p.clone());
                }
                let wanted = match op.split_once(' ') {
                    Some((m, path)) => format!("{} {}", m.to_uppercase(), path.trim()),
                    None => op.clone(),
                };
                Ok(Selected {
                    values: f
                        .operations
                        .iter()
                        .filter(|o| **o == wanted)
                        .map(|o| Value::String(o.clone()))
                        .collect(),
                    unit: shipcheck_plan::Unit::Number,
                })
            }
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &OpenApiFacts = facts_as(facts, "openapi").ok()?;
        match self {
            OpenApiQuery::Valid => f.problem.clone(),
            OpenApiQuery::Operation(_) => None,
        }
    }
}
