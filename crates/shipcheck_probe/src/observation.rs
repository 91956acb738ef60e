//! What a probe observed in one attempt.

use std::collections::BTreeMap;

use shipcheck_report::{Evidence, FailureClass, Measurement};

/// Typed facts from one attempt; assertions and captures are evaluated on these.
#[derive(Debug, Clone)]
pub enum Observation {
    /// An HTTP exchange (every hop of the redirect chain).
    Http(shipcheck_http::Exchange),
    /// The schema of a SQLite database.
    Sqlite(SqliteSchema),
    /// A TLS handshake and the certificates sent.
    Tls(crate::tls_facts::TlsFacts),
}

impl Observation {
    /// Total duration of the attempt in milliseconds, as the `duration` query sees it.
    pub fn duration_ms(&self) -> f64 {
        match self {
            Observation::Http(ex) => ex.hops.last().map_or(0.0, |h| h.timings.total_ms),
            Observation::Sqlite(s) => s.duration_ms,
            Observation::Tls(t) => t.duration_ms,
        }
    }
}

/// Tables and their columns, in the database's order.
#[derive(Debug, Clone, Default)]
pub struct SqliteSchema {
    /// Table name → column names.
    pub tables: BTreeMap<String, Vec<String>>,
    /// Time to open the database and read its schema.
    pub duration_ms: f64,
}

/// An observation plus what the report keeps of it.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The facts.
    pub observation: Observation,
    /// Transcripts (already stripped of credential headers; the runner redacts the rest).
    pub evidence: Vec<Evidence>,
    /// Timings and sizes.
    pub measurements: Vec<Measurement>,
    /// Values sent as credentials (Authorization, Cookie) that must be redacted.
    pub sent_secrets: Vec<String>,
}

/// A check that could not run, classified.
#[derive(Debug, Clone)]
pub struct ProbeError {
    /// Failure class (`dns`, `connect`, `tls`, `timeout`, `protocol`, `auth`).
    pub class: FailureClass,
    /// What happened, naming the host, file or operation.
    pub message: String,
    /// Whatever evidence exists (e.g. the request that was attempted).
    pub evidence: Vec<Evidence>,
    /// Credentials that were sent before the failure.
    pub sent_secrets: Vec<String>,
}

impl ProbeError {
    /// A new error without evidence.
    pub fn new(class: FailureClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
            evidence: Vec::new(),
            sent_secrets: Vec::new(),
        }
    }
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.class.as_str(), self.message)
    }
}

impl std::error::Error for ProbeError {}
