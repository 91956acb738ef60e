//! Plan types of the database expectations shared by the SQL kinds: expected columns, an
//! expected schema, and the migration history to compare.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One column expected by `columns: { table: { col: type } }` or an expected-schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnSpec {
    /// Column name.
    pub name: String,
    /// Expected type (compared after normalising aliases such as `int4` → `integer`).
    pub data_type: Option<String>,
    /// Expected nullability.
    pub nullable: Option<bool>,
}

/// An expected schema: table → columns, from a YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ExpectedSchema {
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
