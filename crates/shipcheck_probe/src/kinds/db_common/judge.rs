//! The database expectations no generic predicate expresses: columns (plain and typed),
//! schema drift and migrations, each a [`Judge`] of [`DbFacts`].

use shipcheck_plan::kind::{Facts, Judge, facts_as};

use super::facts::{DbColumn, DbFacts};
use super::migrations::describe;
use super::spec::{ColumnSpec, ExpectedSchema, MigrationSpec};

/// The facts judged, or why there are none.
fn db(facts: &dyn Facts) -> Result<&DbFacts, String> {
    facts_as(facts, "database")
}

/// `columns: { T: [COL…] }` or `{ T: { COL: TYPE } }`: the table has these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HasColumns {
    /// The table.
    pub(crate) table: String,
    /// The expected columns.
    pub(crate) want: Vec<ColumnSpec>,
}

impl Judge for HasColumns {
    fn describe(&self) -> (String, String) {
        let cols: Vec<String> = self
            .want
            .iter()
            .map(|c| {
                let mut s = c.name.clone();
                if let Some(t) = &c.data_type {
                    s.push_str(&format!(" {t}"));
                }
                match c.nullable {
                    Some(false) => s.push_str(" not null"),
                    Some(true) => s.push_str(" null"),
                    None => {}
                }
                s
            })
            .collect();
        ("has_columns".into(), cols.join(", "))
    }

    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        match db(facts) {
            Ok(f) => columns(f, &self.table, &self.want),
            Err(e) => (false, e),
        }
    }
}

/// `schema: FILE`: the live schema matches the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MatchesSchema(pub(crate) ExpectedSchema);

impl Judge for MatchesSchema {
    fn describe(&self) -> (String, String) {
        ("matches".into(), self.0.path.display().to_string())
    }

    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        match db(facts) {
            Ok(f) => drift(f, &self.0),
            Err(e) => (false, e),
        }
    }
}

/// `migrations:`: the database is at the head revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AtHead(pub(crate) MigrationSpec);

impl Judge for AtHead {
    fn describe(&self) -> (String, String) {
        ("at_head".into(), "head revision".into())
    }

    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let f = match db(facts) {
            Ok(f) => f,
            Err(e) => return (false, e),
        };
        match f.migrations.iter().find(|(s, _)| *s == self.0) {
            Some((_, state)) => describe(self.0.tool, state),
            None => (false, "migrations were not read".into()),
        }
    }
}

/// Canonical spelling of a column type, so `int4`, `INTEGER` and `int` compare equal.
fn normalize(t: &str) -> String {
    let lower = t.trim().to_ascii_lowercase();
    let base = lower.split('(').next().unwrap_or("").trim().to_owned();
    let canon = match base.as_str() {
        "int" | "int4" | "serial" | "serial4" => "integer",
        "int8" | "bigserial" | "serial8" => "bigint",
        "int2" | "smallserial" => "smallint",
        "bool" => "boolean",
        "varchar" => "character varying",
        "char" | "bpchar" => "character",
        "float8" | "double" => "double precision",
        "float4" => "real",
        "decimal" => "numeric",
        "timestamptz" => "timestamp with time zone",
        "timestamp" => "timestamp without time zone",
        "timetz" => "time with time zone",
        "time" => "time without time zone",
        other => other,
    };
    canon.to_owned()
}

/// One line per problem with `table`'s columns.
fn column_problems(table: &str, have: &[DbColumn], want: &[ColumnSpec]) -> Vec<String> {
    let mut out = Vec::new();
    for w in want {
        let Some(h) = have.iter().find(|h| h.name.eq_ignore_ascii_case(&w.name)) else {
            out.push(format!("missing column `{table}.{}`", w.name));
            continue;
        };
        if let Some(t) = &w.data_type
            && normalize(t) != normalize(&h.data_type)
        {
            out.push(format!(
                "`{table}.{}` has type {} (expected {t})",
                w.name, h.data_type
            ));
        }
        if let Some(n) = w.nullable
            && n != h.nullable
        {
            out.push(format!(
                "`{table}.{}` is {} (expected {})",
                w.name,
                if h.nullable { "nullable" } else { "NOT NULL" },
                if n { "nullable" } else { "NOT NULL" }
            ));
        }
    }
    out
}

fn columns(facts: &DbFacts, table: &str, want: &[ColumnSpec]) -> (bool, String) {
    let Some(have) = facts.tables.get(table) else {
        let tables: Vec<&str> = facts.tables.keys().map(String::as_str).collect();
        return (
            false,
            format!(
                "table `{table}` does not exist (tables: {})",
                tables.join(", ")
            ),
        );
    };
    let problems = column_problems(table, have, want);
    let names: Vec<&str> = have.iter().map(|c| c.name.as_str()).collect();
    if problems.is_empty() {
        return (true, names.join(", "));
    }
    let missing: Vec<String> = want
        .iter()
        .filter(|w| !have.iter().any(|h| h.name.eq_ignore_ascii_case(&w.name)))
        .map(|w| format!("`{}`", w.name))
        .collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!(
            "missing column{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    parts.extend(
        problems
            .into_iter()
            .filter(|p| !p.starts_with("missing column")),
    );
    (
        false,
        format!(
            "{} (table `{table}` has: {})",
            parts.join("; "),
            names.join(", ")
        ),
    )
}

/// Migration-history tables: never reported as extra tables.
const HISTORY_TABLES: &[&str] = &[
    "alembic_version",
    "flyway_schema_history",
    "django_migrations",
    "_sqlx_migrations",
    "_prisma_migrations",
];

fn drift(facts: &DbFacts, schema: &ExpectedSchema) -> (bool, String) {
    let mut problems = Vec::new();
    for (table, want) in &schema.tables {
        match facts.tables.get(table) {
            None => problems.push(format!("missing table `{table}`")),
            Some(have) => {
                problems.extend(column_problems(table, have, want));
                for h in have {
                    if !want.iter().any(|w| w.name.eq_ignore_ascii_case(&h.name)) {
                        problems.push(format!("extra column `{table}.{}`", h.name));
                    }
                }
            }
        }
    }
    for table in facts.tables.keys() {
        if !schema.tables.contains_key(table) && !HISTORY_TABLES.contains(&table.as_str()) {
            problems.push(format!("extra table `{table}`"));
        }
    }
    if problems.is_empty() {
        return (true, format!("{} tables match", schema.tables.len()));
    }
    (
        false,
        format!(
            "{} difference{}: {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_aliases_compare_equal() {
        assert_eq!(normalize("INT4"), normalize("integer"));
        assert_eq!(normalize("varchar(255)"), normalize("character varying"));
        assert_eq!(normalize("timestamptz"), "timestamp with time zone");
        assert_ne!(normalize("text"), normalize("integer"));
    }
}
