//! What a probe observed in one attempt.

use shipcheck_report::{Evidence, Measurement};

/// Typed facts from one attempt; assertions and captures are evaluated on these.
#[derive(Debug, Clone)]
pub enum Observation {
    /// A SQLite database file: schema, rows, counts, integrity.
    Sqlite(SqliteSchema),
    /// A PostgreSQL server: version, schema, rows, counts, migrations.
    Postgres(crate::db_facts::DbFacts),
    /// A Redis server: PING, INFO, keys.
    Redis(crate::db_facts::RedisFacts),
}

impl shipcheck_plan::kind::Facts for Observation {
    fn duration_ms(&self) -> f64 {
        Observation::duration_ms(self)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Observation {
    /// Total duration of the attempt in milliseconds, as the `duration` query sees it.
    pub fn duration_ms(&self) -> f64 {
        match self {
            Observation::Sqlite(s) | Observation::Postgres(s) => s.duration_ms,
            Observation::Redis(r) => r.duration_ms,
        }
    }
}

pub use crate::db_facts::SqliteSchema;

/// What a legacy probe (not yet in its own kind folder) returns; lifted into
/// [`shipcheck_plan::kind::Observed`] by [`crate::observe`].
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    /// The facts.
    pub(crate) observation: Observation,
    /// Transcripts (already stripped of credential headers; the runner redacts the rest).
    pub(crate) evidence: Vec<Evidence>,
    /// Timings and sizes.
    pub(crate) measurements: Vec<Measurement>,
    /// Values sent as credentials (Authorization, Cookie) that must be redacted.
    pub(crate) sent_secrets: Vec<String>,
}

pub use shipcheck_plan::kind::ProbeError;
