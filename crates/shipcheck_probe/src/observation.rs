//! What a probe observed in one attempt.

use shipcheck_report::{Evidence, FailureClass, Measurement};

/// Typed facts from one attempt; assertions and captures are evaluated on these.
#[derive(Debug, Clone)]
pub enum Observation {
    /// An HTTP exchange (every hop of the redirect chain).
    Http(shipcheck_http::Exchange),
    /// A SQLite database file: schema, rows, counts, integrity.
    Sqlite(SqliteSchema),
    /// A PostgreSQL server: version, schema, rows, counts, migrations.
    Postgres(crate::db_facts::DbFacts),
    /// A Redis server: PING, INFO, keys.
    Redis(crate::db_facts::RedisFacts),
    /// A TLS handshake and the certificates sent.
    Tls(crate::tls_facts::TlsFacts),
    /// A TCP connection attempt.
    Tcp(crate::net_facts::TcpFacts),
    /// A DNS lookup.
    Dns(crate::net_facts::DnsFacts),
    /// A WebSocket session.
    WebSocket(crate::net_facts::WsFacts),
    /// A signed and a tampered webhook delivery.
    Webhook(crate::net_facts::WebhookFacts),
    /// A fetched metrics exposition or OpenAPI document.
    Document(crate::doc_facts::DocFacts),
    /// Two CORS preflights.
    Cors(crate::hygiene::CorsFacts),
    /// Lint findings over deployment files.
    Lint(LintFacts),
}

/// What the linter found.
#[derive(Debug, Clone, Default)]
pub struct LintFacts {
    /// Every finding, paths relative to the plan's directory.
    pub findings: Vec<shipcheck_report::Finding>,
    /// Files of a known kind that were linted.
    pub files_scanned: usize,
}

impl Observation {
    /// Total duration of the attempt in milliseconds, as the `duration` query sees it.
    pub fn duration_ms(&self) -> f64 {
        match self {
            Observation::Http(ex) => ex.hops.last().map_or(0.0, |h| h.timings.total_ms),
            Observation::Sqlite(s) | Observation::Postgres(s) => s.duration_ms,
            Observation::Redis(r) => r.duration_ms,
            Observation::Tls(t) => t.duration_ms,
            Observation::Tcp(t) => t.duration_ms,
            Observation::Dns(d) => d.duration_ms,
            Observation::WebSocket(w) => w.duration_ms,
            Observation::Webhook(w) => w.duration_ms,
            Observation::Document(d) => d.duration_ms,
            Observation::Cors(c) => c.duration_ms,
            Observation::Lint(_) => 0.0,
        }
    }
}

pub use crate::db_facts::SqliteSchema;

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
