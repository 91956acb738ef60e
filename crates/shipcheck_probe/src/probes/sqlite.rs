//! The `sqlite` probe: opens a database file read-only and reads its schema.

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};
use shipcheck_plan::SqliteProbe;
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::ProbeContext;
use crate::observation::{Observation, Observed, ProbeError, SqliteSchema};

pub(super) async fn observe(
    p: &SqliteProbe,
    cx: &ProbeContext<'_>,
) -> Result<Observed, ProbeError> {
    let path = p.path.clone();
    let task = tokio::task::spawn_blocking(move || read_schema(&path));
    let schema = match tokio::time::timeout(cx.timeout, task).await {
        Err(_) => {
            return Err(ProbeError::new(
                FailureClass::Timeout,
                format!(
                    "timed out after {:?} reading {}",
                    cx.timeout,
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
    for (table, cols) in &schema.tables {
        text.push_str(&format!("{table}({})\n", cols.join(", ")));
    }
    Ok(Observed {
        evidence: vec![Evidence {
            label: "schema".into(),
            text,
            truncated: false,
        }],
        measurements: vec![Measurement {
            name: "total".into(),
            value: schema.duration_ms,
            unit: "ms".into(),
            target: None,
            met: None,
        }],
        observation: Observation::Sqlite(schema),
        sent_secrets: Vec::new(),
    })
}

fn read_schema(path: &Path) -> Result<SqliteSchema, ProbeError> {
    let start = Instant::now();
    if !path.is_file() {
        return Err(ProbeError::new(
            FailureClass::Connect,
            format!("database file {} does not exist", path.display()),
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
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(db_err)?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(db_err)?
        .collect::<Result<_, _>>()
        .map_err(db_err)?;
    let mut schema = SqliteSchema::default();
    for name in names {
        let mut cols_stmt = conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(db_err)?;
        let cols: Vec<String> = cols_stmt
            .query_map([&name], |r| r.get::<_, String>(0))
            .map_err(db_err)?
            .collect::<Result<_, _>>()
            .map_err(db_err)?;
        schema.tables.insert(name, cols);
    }
    schema.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipcheck_plan::{Assertion, Pos, Predicate, Query};

    fn lookup(_: &str) -> Option<serde_json::Value> {
        None
    }

    #[tokio::test]
    async fn reads_schema_read_only_and_names_missing_columns() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE users(user_id INTEGER PRIMARY KEY, username TEXT);")
            .unwrap();
        drop(conn);
        let before = std::fs::read(&db).unwrap();
        let cx = ProbeContext {
            timeout: std::time::Duration::from_secs(5),
            lookup: &lookup,
            evidence_cap: 8192,
        };
        let observed = observe(&SqliteProbe { path: db.clone() }, &cx)
            .await
            .unwrap();
        let a = Assertion {
            query: Query::Columns("users".into()),
            predicate: Predicate::HasColumns(vec![
                "user_id".into(),
                "username".into(),
                "is_active".into(),
            ]),
            pos: Pos::default(),
        };
        let r = crate::evaluate(&[a], &observed.observation);
        assert!(!r[0].passed);
        assert!(
            r[0].actual.contains("missing column `is_active`"),
            "{}",
            r[0].actual
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            before,
            "the probe must not change the file"
        );
    }

    #[tokio::test]
    async fn a_missing_file_is_a_connect_error_and_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("absent.db");
        let cx = ProbeContext {
            timeout: std::time::Duration::from_secs(5),
            lookup: &lookup,
            evidence_cap: 8192,
        };
        let err = observe(&SqliteProbe { path: db.clone() }, &cx)
            .await
            .unwrap_err();
        assert_eq!(err.class, FailureClass::Connect);
        assert!(!db.exists());
    }
}
