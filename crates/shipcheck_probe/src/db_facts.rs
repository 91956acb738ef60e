//! Facts the data-layer probes observe: a database's schema, row counts, query rows and
//! migration state (SQLite and PostgreSQL), and a Redis server's INFO and keys.

use std::collections::BTreeMap;

use serde_json::Value;
use shipcheck_plan::{KeyAspect, MigrationSpec, Query};

/// One column of a live table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbColumn {
    /// Column name.
    pub name: String,
    /// Declared type (PostgreSQL `data_type`, SQLite declared type), lower case.
    pub data_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
}

/// What a database probe (SQLite or PostgreSQL) observed.
#[derive(Debug, Clone, Default)]
pub struct DbFacts {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    /// Server version (PostgreSQL `server_version`, SQLite library version).
    pub server_version: Option<String>,
    /// Table name → columns, in the database's order.
    pub tables: BTreeMap<String, Vec<DbColumn>>,
    /// Rows of the probe's `query` as a JSON array of objects.
    pub rows: Option<Value>,
    /// Row counts for `rows:` expectations (`Err`: why the count could not be read).
    pub counts: Vec<(Query, Result<u64, String>)>,
    /// Migration state for `migrations:` expectations.
    pub migrations: Vec<(MigrationSpec, MigrationState)>,
    /// `PRAGMA integrity_check` (SQLite).
    pub integrity: Option<String>,
    /// Time of the attempt.
    pub duration_ms: f64,
}

/// The SQLite probe's facts (kept as a name for integrators).
pub type SqliteSchema = DbFacts;

/// Applied migrations compared with the migration scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationState {
    /// Applied revisions (Alembic: the rows of `alembic_version`; others: the latest).
    pub current: Vec<String>,
    /// Head revision computed from the scripts (when a directory was given).
    pub head: Option<String>,
    /// Scripts not applied, oldest first.
    pub pending: Vec<String>,
    /// Applied revisions that no script knows.
    pub unknown: Vec<String>,
    /// Migrations recorded as failed.
    pub failed: Vec<String>,
    /// Why the state could not be read (missing history table, several heads…).
    pub error: Option<String>,
    /// Whether a scripts directory was compared.
    pub compared: bool,
}

/// What the Redis probe observed.
#[derive(Debug, Clone, Default)]
pub struct RedisFacts {
    /// `redis_version` from INFO.
    pub server_version: Option<String>,
    /// PING round trip in milliseconds.
    pub ping_ms: f64,
    /// INFO fields (numbers as numbers).
    pub info: BTreeMap<String, Value>,
    /// Key facts for `keys:` expectations.
    pub keys: BTreeMap<(String, KeyAspect), Value>,
    /// Time of the attempt.
    pub duration_ms: f64,
}
