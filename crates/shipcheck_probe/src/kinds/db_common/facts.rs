//! What a SQL database probe observes (schema, row counts, query rows, migration state)
//! and the queries that read it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

use super::spec::MigrationSpec;

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

/// What a database probe observed.
#[derive(Debug, Clone, Default)]
pub struct DbFacts {
    /// The kind's name, for messages.
    pub engine: &'static str,
    /// Server version (PostgreSQL `server_version`, SQLite library version).
    pub server_version: Option<String>,
    /// Table name → columns, in the database's order.
    pub tables: BTreeMap<String, Vec<DbColumn>>,
    /// Rows of the probe's `query` as a JSON array of objects.
    pub rows: Option<Value>,
    /// Row counts for `rows:` expectations (`Err`: why the count could not be read).
    pub counts: Vec<(DbQuery, Result<u64, String>)>,
    /// Migration state for `migrations:` expectations.
    pub migrations: Vec<(MigrationSpec, MigrationState)>,
    /// `PRAGMA integrity_check`, for engines that have one.
    pub integrity: Option<String>,
    /// Time of the attempt.
    pub duration_ms: f64,
}

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

impl Facts for DbFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        self.rows
            .as_ref()
            .map(Cow::Borrowed)
            .ok_or_else(|| "the probe has no `query`, so there are no rows to read".into())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a database expectation looks at. `Columns`, `Schema` and `Migrations` name what
/// a judge (`HasColumns`, `MatchesSchema`, `AtHead`) decides; the others select values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbQuery {
    /// The named table exists.
    Table(String),
    /// The named table's columns.
    Columns(String),
    /// The live schema against an expected-schema file (path shown).
    Schema(String),
    /// Number of rows of `table` matching the SQL condition `filter`.
    Rows {
        /// Table name.
        table: String,
        /// SQL condition (`WHERE` clause without the keyword).
        filter: Option<String>,
    },
    /// The applied migrations against the migration scripts.
    Migrations(MigrationSpec),
    /// `PRAGMA integrity_check` result (`ok` when healthy).
    Integrity,
    /// Server (or library) version.
    ServerVersion,
}

impl DbQuery {
    /// Whether the probe must fetch something for this query (a count, a history, a check).
    pub(crate) fn fetched(&self) -> bool {
        matches!(
            self,
            DbQuery::Rows { .. } | DbQuery::Migrations(_) | DbQuery::Integrity
        )
    }
}

impl Select for DbQuery {
    fn subject(&self) -> String {
        match self {
            DbQuery::Columns(t) => format!("columns of {t}"),
            DbQuery::Table(t) => format!("table {t}"),
            DbQuery::Schema(p) => format!("schema vs {p}"),
            DbQuery::Rows { table, filter } => match filter {
                Some(f) => format!("rows of {table} where {f}"),
                None => format!("rows of {table}"),
            },
            DbQuery::Migrations(m) => format!("{} migrations", m.tool.name()),
            DbQuery::Integrity => "integrity_check".into(),
            DbQuery::ServerVersion => "server_version".into(),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &DbFacts = facts_as(facts, "database")?;
        match self {
            DbQuery::Table(t) => Ok(if f.tables.contains_key(t) {
                Selected::one(t.clone())
            } else {
                Selected::none()
            }),
            DbQuery::ServerVersion => {
                Ok(Selected::one(f.server_version.clone().unwrap_or_default()))
            }
            DbQuery::Integrity => match &f.integrity {
                Some(s) => Ok(Selected::one(s.clone())),
                None => Err("integrity_check was not run".into()),
            },
            DbQuery::Rows { .. } => match f.counts.iter().find(|(cq, _)| cq == self) {
                Some((_, Ok(n))) => Ok(Selected::one(*n)),
                Some((_, Err(e))) => Err(e.clone()),
                None => Err("rows were not counted".into()),
            },
            DbQuery::Columns(_) | DbQuery::Schema(_) | DbQuery::Migrations(_) => Err(format!(
                "this expectation does not apply to {} probes",
                f.engine
            )),
        }
    }
}
