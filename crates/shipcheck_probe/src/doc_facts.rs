//! What the `metrics` and `openapi` probes observed.

/// One sample of an exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name (with `_bucket`, `_sum`… suffixes as written).
    pub name: String,
    /// Labels in written order.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

/// A fetched document: status, and either the parsed content or why it is invalid.
#[derive(Debug, Clone, Default)]
pub struct DocFacts {
    /// URL fetched.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Why the document is not valid (`None`: it is).
    pub problem: Option<String>,
    /// Metrics: the samples.
    pub samples: Vec<Sample>,
    /// OpenAPI: the document (for `json:`), `Null` if it is not JSON.
    pub document: serde_json::Value,
    /// OpenAPI: operations as `operationId` and `METHOD /path`.
    pub operations: Vec<String>,
    /// Time of the fetch.
    pub duration_ms: f64,
}
