//! Plan types of the data-layer probes (`postgres`, `redis`) and their expectations
//! (schema, seed rows, migrations, Redis keys). Part of the checked plan ([`crate::ast`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::ast::Query;

/// `postgres:` — a PostgreSQL server, reached by URL or by fields.
#[derive(Debug, Clone)]
pub struct PostgresProbe {
    /// Where and how to connect.
    pub target: PgTarget,
    /// Extra trusted CA (PEM) for `sslmode: verify-ca`/`verify-full`.
    pub ca_file: Option<PathBuf>,
    /// `query:` — one SQL statement whose rows the `json` expectations read.
    pub query: Option<String>,
    /// `allow_writes: true` runs statements outside a read-only transaction (and commits).
    pub allow_writes: bool,
    /// What the expectations need fetched (rows counts, migrations); filled by the loader.
    pub fetch: Vec<Query>,
}

/// How to reach PostgreSQL.
#[derive(Debug, Clone)]
pub enum PgTarget {
    /// `url: postgres://user:pass@host:port/db?sslmode=require` (template).
    Url(String),
    /// The field form (each a template).
    Fields {
        /// Host name or address.
        host: String,
        /// Port (default 5432).
        port: u16,
        /// User name.
        user: String,
        /// Password (redacted everywhere).
        password: Option<String>,
        /// Database name (default: the user name).
        dbname: Option<String>,
        /// `disable`, `prefer`, `require`, `verify-ca`, `verify-full`.
        sslmode: Option<String>,
    },
}

/// `redis:` — a Redis server, `redis://` or `rediss://` (TLS).
#[derive(Debug, Clone)]
pub struct RedisProbe {
    /// URL template (`redis://[user:pass@]host:port/db`).
    pub url: String,
    /// ACL user name (overrides the URL's).
    pub username: Option<String>,
    /// Password for AUTH (overrides the URL's; redacted everywhere).
    pub password: Option<String>,
    /// Extra trusted CA (PEM) for `rediss://`.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// What the expectations need fetched (keys); filled by the loader.
    pub fetch: Vec<Query>,
}

/// One column expected by `columns: { table: { col: type } }` or an expected-schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name.
    pub name: String,
    /// Expected type (compared after normalising aliases such as `int4` → `integer`).
    pub data_type: Option<String>,
    /// Expected nullability.
    pub nullable: Option<bool>,
}

/// An expected schema: table → columns, from a YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedSchema {
    /// The file it was read from (for messages).
    pub path: PathBuf,
    /// Table → expected columns in file order.
    pub tables: BTreeMap<String, Vec<ColumnSpec>>,
}

/// Migration tools whose history tables shipcheck reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationTool {
    /// `alembic_version`; head computed from `revision`/`down_revision` in `versions/`.
    Alembic,
    /// `flyway_schema_history`; `V<version>__<name>.sql` files.
    Flyway,
    /// `django_migrations`; `<app>/migrations/NNNN_name.py` under the directory.
    Django,
    /// `_sqlx_migrations`; `<version>_<name>.sql` files.
    Sqlx,
    /// `_prisma_migrations`; one directory per migration.
    Prisma,
}

impl MigrationTool {
    /// The name as written in the plan.
    pub fn name(self) -> &'static str {
        match self {
            MigrationTool::Alembic => "alembic",
            MigrationTool::Flyway => "flyway",
            MigrationTool::Django => "django",
            MigrationTool::Sqlx => "sqlx",
            MigrationTool::Prisma => "prisma",
        }
    }
}

/// `migrations: { tool, migrations_dir }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationSpec {
    /// Which tool wrote the history table.
    pub tool: MigrationTool,
    /// Directory of migration scripts (resolved); without it only the current revision is reported.
    pub dir: Option<PathBuf>,
}

/// The aspect of a Redis key an assertion reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyAspect {
    /// Whether it exists.
    Exists,
    /// Its type (`string`, `list`, `set`, `zset`, `hash`, `stream`).
    Type,
    /// Seconds to live (`-1`: no expiry).
    Ttl,
    /// Length of a list, set, sorted set, hash, stream or string.
    Length,
}
