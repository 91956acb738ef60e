//! The `sqlite` probe: opens a database file read-only and reads its schema (with column
//! types), the row counts and migration history the expectations need, `integrity_check`,
//! and the rows of the check's `query` (one statement; the file cannot be written).

use std::time::Instant;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError, Select};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::spec::SqliteProbe;
use crate::kinds::db_common::cap_text;
use crate::kinds::db_common::facts::{DbColumn, DbFacts, DbQuery, MigrationState};
use crate::kinds::db_common::migrations::{Applied, compare, history_sql};

/// One attempt: reads the file on a blocking thread, within the check's timeout.
pub(super) async fn observe(
    p: &SqliteProbe,
    cx: &ProbeContext<'_>,
) -> Result<Observed, ProbeError> {
    let probe = p.clone();
    let query = match &p.query {
        Some(q) => Some(template::render_str(q, cx.lookup).map_err(|e| {
            ProbeError::new(FailureClass::Protocol, format!("rendering the query: {e}"))
        })?),
        None => None,
    };
    let task = tokio::task::spawn_blocking(move || read(&probe, query.as_deref()));
    let facts = match tokio::time::timeout(cx.timeout, task).await {
        Err(_) => {
            return Err(ProbeError::new(
                FailureClass::Timeout,
                format!(
                    "timed out after {} reading {}",
                    shipcheck_plan::format_duration(cx.timeout),
                    p.path.display()
                ),
            ));
        }
        Ok(Err(join)) => {
            return Err(ProbeError::new(
                FailureClass::Protocol,
                format!("sqlite task failed: {join}"),
            ));
        }
        Ok(Ok(r)) => r?,
    };
    let mut text = format!("-- {} (opened read-only)\n", p.path.display());
    for (table, cols) in &facts.tables {
        let cols: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        text.push_str(&format!("{table}({})\n", cols.join(", ")));
    }
    for (q, n) in &facts.counts {
        let n = match n {
            Ok(n) => n.to_string(),
            Err(e) => e.clone(),
        };
        text.push_str(&format!("{}: {n}\n", q.subject()));
    }
    if let Some(i) = &facts.integrity {
        text.push_str(&format!("integrity_check: {i}\n"));
    }
    if let Some(rows) = &facts.rows {
        text.push_str(&format!("query rows: {rows}\n"));
    }
    let truncated = cap_text(&mut text, cx.evidence_cap);
    let duration_ms = facts.duration_ms;
    let mut observed = Observed::new(facts);
    observed.evidence.push(Evidence {
        label: "schema".into(),
        text,
        truncated,
    });
    observed.measurements.push(Measurement {
        name: "total".into(),
        value: duration_ms,
        unit: shipcheck_report::MeasureUnit::Ms,
        target: None,
        met: None,
    });
    Ok(observed)
}

/// Most rows of a `query` kept.
const MAX_ROWS: usize = 10_000;

pub(crate) fn read(p: &SqliteProbe, query: Option<&str>) -> Result<DbFacts, ProbeError> {
    let start = Instant::now();
    let path = &p.path;
    let problem = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) if m.is_dir() => Some("is a directory, not a database file".to_owned()),
        Ok(_) => Some("is not a regular file (a FIFO, socket or device)".to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("does not exist".to_owned()),
        Err(e) => Some(format!("cannot be read: {e}")),
    };
    if let Some(problem) = problem {
        return Err(ProbeError::new(
            FailureClass::Connect,
            format!("database file {} {problem}", path.display()),
        ));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let db_err = |e: rusqlite::Error| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("reading {}: {e}", path.display()),
        )
    };
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        ProbeError::new(
            FailureClass::Connect,
            format!("opening {}: {e}", path.display()),
        )
    })?;
    let mut facts = DbFacts {
        engine: "sqlite",
        server_version: Some(rusqlite::version().to_owned()),
        ..DbFacts::default()
    };
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(db_err)?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    for name in names {
        let mut cols_stmt = conn
            .prepare("SELECT name, lower(type), \"notnull\" = 0 AND pk = 0 FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(db_err)?;
        let cols: Vec<DbColumn> = cols_stmt
            .query_map([&name], |r| {
                Ok(DbColumn {
                    name: r.get(0)?,
                    data_type: r.get(1)?,
                    nullable: r.get(2)?,
                })
            })
            .map_err(db_err)?
            .collect::<Result<_, _>>()
            .map_err(db_err)?;
        facts.tables.insert(name, cols);
    }
    for q in &p.fetch {
        match q {
            DbQuery::Rows { table, filter } => {
                let n = if facts.tables.contains_key(table) {
                    let sql = match filter {
                        Some(f) => format!("SELECT count(*) FROM {} WHERE {f}", quote(table)),
                        None => format!("SELECT count(*) FROM {}", quote(table)),
                    };
                    conn.query_row(&sql, [], |r| r.get::<_, i64>(0))
                        .map(|n| n.max(0) as u64)
                        .map_err(|e| e.to_string())
                } else {
                    Err(format!("table `{table}` does not exist"))
                };
                facts.counts.push((q.clone(), n));
            }
            DbQuery::Integrity => {
                let mut st = conn.prepare("PRAGMA integrity_check").map_err(db_err)?;
                let lines: Vec<String> = st
                    .query_map([], |r| r.get::<_, String>(0))
                    .map_err(db_err)?
                    .take(100)
                    .collect::<Result<_, _>>()
                    .map_err(db_err)?;
                facts.integrity = Some(lines.join("; "));
            }
            DbQuery::Migrations(spec) => {
                let (table, sql) = history_sql(spec.tool);
                let state = if facts.tables.contains_key(table) {
                    let applied = conn.prepare(sql).and_then(|mut st| {
                        st.query_map([], |r| {
                            Ok(Applied {
                                id: r.get(0)?,
                                ok: r.get::<_, bool>(1).unwrap_or(false),
                            })
                        })?
                        .collect::<Result<Vec<_>, _>>()
                    });
                    match applied {
                        Ok(a) => compare(spec, &a),
                        Err(e) => MigrationState {
                            error: Some(e.to_string()),
                            ..MigrationState::default()
                        },
                    }
                } else {
                    MigrationState {
                        error: Some(format!(
                            "no `{table}` table: the database has no {} history",
                            spec.tool.name()
                        )),
                        ..MigrationState::default()
                    }
                };
                facts.migrations.push((spec.clone(), state));
            }
            _ => {}
        }
    }
    if let Some(q) = query {
        facts.rows = Some(rows(&conn, q).map_err(|e| {
            ProbeError::new(FailureClass::Protocol, format!("running the query: {e}"))
        })?);
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(facts)
}

/// A table name quoted as an identifier.
fn quote(t: &str) -> String {
    format!("\"{}\"", t.replace('"', "\"\""))
}

/// One statement's rows as a JSON array of objects (rusqlite refuses several statements).
fn rows(conn: &Connection, sql: &str) -> Result<Value, rusqlite::Error> {
    let mut st = conn.prepare(sql)?;
    let names: Vec<String> = st.column_names().map(str::to_owned).collect();
    let mut out = Vec::new();
    let mut rs = st.query([])?;
    while let Some(r) = rs.next()? {
        if out.len() >= MAX_ROWS {
            break;
        }
        let mut obj = serde_json::Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match r.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(x) => Value::from(x),
                ValueRef::Real(x) => Value::from(x),
                ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::from(format!("<{} bytes>", b.len())),
            };
            obj.insert(n.clone(), v);
        }
        out.push(Value::Object(obj));
    }
    Ok(Value::Array(out))
}
