//! Evaluation of the data-layer expectations: columns (plain and typed), schema drift,
//! migrations, and the values the generic predicates read from database and Redis facts.

use serde_json::Value;
use shipcheck_plan::{Assertion, ColumnSpec, ExpectedSchema, KeyAspect, Predicate, Query, Unit};
use shipcheck_report::AssertionResult;

use crate::db_facts::{DbColumn, DbFacts};
use crate::migrations::describe;
use crate::observation::Observation;

/// The report subject of a data-layer query.
pub(crate) fn subject(q: &Query) -> String {
    match q {
        Query::Columns(t) => format!("columns of {t}"),
        Query::Table(t) => format!("table {t}"),
        Query::Schema(p) => format!("schema vs {p}"),
        Query::Rows { table, filter } => match filter {
            Some(f) => format!("rows of {table} where {f}"),
            None => format!("rows of {table}"),
        },
        Query::Migrations(m) => format!("{} migrations", m.tool.name()),
        Query::Integrity => "integrity_check".into(),
        Query::ServerVersion => "server_version".into(),
        Query::Ping => "ping".into(),
        Query::Info(f) => format!("info {f}"),
        Query::Key(k, aspect) => format!("key {k} {}", aspect_name(*aspect)),
        other => format!("{other:?}"),
    }
}

fn aspect_name(a: KeyAspect) -> &'static str {
    match a {
        KeyAspect::Exists => "exists",
        KeyAspect::Type => "type",
        KeyAspect::Ttl => "ttl",
        KeyAspect::Length => "length",
    }
}

fn db(obs: &Observation) -> Option<&DbFacts> {
    match obs {
        Observation::Sqlite(f) | Observation::Postgres(f) => Some(f),
        _ => None,
    }
}

/// Assertions that are not a value + predicate (columns, schema, migrations); `true` when
/// handled (the result is filled in).
pub(crate) fn special(a: &Assertion, obs: &Observation, result: &mut AssertionResult) -> bool {
    let handled = matches!(
        (&a.query, &a.predicate),
        (
            Query::Columns(_),
            Predicate::HasColumns(_) | Predicate::ColumnSpecs(_)
        ) | (Query::Schema(_), Predicate::MatchesSchema(_))
            | (Query::Migrations(_), Predicate::AtHead)
    );
    if !handled {
        return false;
    }
    let Some(facts) = db(obs) else {
        result.actual = "this expectation applies to database probes only".into();
        return true;
    };
    match (&a.query, &a.predicate) {
        (Query::Columns(table), Predicate::HasColumns(cols)) => {
            let specs: Vec<ColumnSpec> = cols
                .iter()
                .map(|c| ColumnSpec {
                    name: c.clone(),
                    data_type: None,
                    nullable: None,
                })
                .collect();
            columns(result, facts, table, &specs);
        }
        (Query::Columns(table), Predicate::ColumnSpecs(specs)) => {
            columns(result, facts, table, specs);
        }
        (Query::Schema(_), Predicate::MatchesSchema(schema)) => drift(result, facts, schema),
        (Query::Migrations(spec), _) => match facts.migrations.iter().find(|(s, _)| s == spec) {
            Some((_, state)) => {
                (result.passed, result.actual) = describe(spec.tool, state);
            }
            None => result.actual = "migrations were not read".into(),
        },
        _ => {}
    }
    true
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

fn columns(result: &mut AssertionResult, facts: &DbFacts, table: &str, want: &[ColumnSpec]) {
    let Some(have) = facts.tables.get(table) else {
        let tables: Vec<&str> = facts.tables.keys().map(String::as_str).collect();
        result.actual = format!(
            "table `{table}` does not exist (tables: {})",
            tables.join(", ")
        );
        return;
    };
    let problems = column_problems(table, have, want);
    let names: Vec<&str> = have.iter().map(|c| c.name.as_str()).collect();
    if problems.is_empty() {
        result.passed = true;
        result.actual = names.join(", ");
        return;
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
    result.actual = format!(
        "{} (table `{table}` has: {})",
        parts.join("; "),
        names.join(", ")
    );
}

/// Migration-history tables: never reported as extra tables.
const HISTORY_TABLES: &[&str] = &[
    "alembic_version",
    "flyway_schema_history",
    "django_migrations",
    "_sqlx_migrations",
    "_prisma_migrations",
];

fn drift(result: &mut AssertionResult, facts: &DbFacts, schema: &ExpectedSchema) {
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
        result.passed = true;
        result.actual = format!("{} tables match", schema.tables.len());
    } else {
        result.actual = format!(
            "{} difference{}: {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("; ")
        );
    }
}

/// The values a data-layer query selects and their unit.
pub(crate) fn select(q: &Query, obs: &Observation) -> Result<(Vec<Value>, Unit), String> {
    let one = |v: Value| Ok((vec![v], Unit::Number));
    if let Observation::Redis(r) = obs {
        return match q {
            Query::Duration => Ok((vec![Value::from(r.duration_ms)], Unit::Millis)),
            Query::Ping => Ok((vec![Value::from(r.ping_ms)], Unit::Millis)),
            Query::ServerVersion => one(Value::from(r.server_version.clone().unwrap_or_default())),
            Query::Info(field) => Ok((
                r.info.get(field).cloned().into_iter().collect(),
                Unit::Number,
            )),
            Query::Key(k, aspect) => match r.keys.get(&(k.clone(), *aspect)) {
                Some(Value::Bool(false)) if *aspect == KeyAspect::Exists => {
                    Ok((vec![], Unit::Number))
                }
                Some(v) => one(v.clone()),
                None => Err(format!("key `{k}` was not read")),
            },
            _ => Err("this expectation does not apply to redis probes".into()),
        };
    }
    let Some(f) = db(obs) else {
        return Err("this expectation applies to database probes only".into());
    };
    match q {
        Query::Table(t) => Ok((
            if f.tables.contains_key(t) {
                vec![Value::String(t.clone())]
            } else {
                vec![]
            },
            Unit::Number,
        )),
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        Query::ServerVersion => one(Value::from(f.server_version.clone().unwrap_or_default())),
        Query::Integrity => match &f.integrity {
            Some(s) => one(Value::from(s.clone())),
            None => Err("integrity_check was not run".into()),
        },
        Query::Rows { .. } => match f.counts.iter().find(|(cq, _)| cq == q) {
            Some((_, Ok(n))) => one(Value::from(*n)),
            Some((_, Err(e))) => Err(e.clone()),
            None => Err("rows were not counted".into()),
        },
        Query::JsonPath(path) => {
            use jsonpath_rust::JsonPath as _;
            let Some(rows) = &f.rows else {
                return Err("the probe has no `query`, so there are no rows to read".into());
            };
            let found = rows
                .query(path)
                .map_err(|e| format!("invalid JSONPath {path}: {e}"))?;
            Ok((found.into_iter().cloned().collect(), Unit::Number))
        }
        _ => Err(format!(
            "this expectation does not apply to {} probes",
            f.engine
        )),
    }
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
