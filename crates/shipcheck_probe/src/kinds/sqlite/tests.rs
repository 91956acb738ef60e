//! The `sqlite` probe on a real file: read-only, missing columns named, no file created.

use std::sync::Arc;

use rusqlite::Connection;
use shipcheck_plan::kind::ProbeContext;
use shipcheck_plan::{Assertion, KindJudge, Pos, Predicate};
use shipcheck_report::FailureClass;

use super::run::observe;
use super::spec::SqliteProbe;
use crate::kinds::db_common::expect::q;
use crate::kinds::db_common::facts::DbQuery;
use crate::kinds::db_common::judge::HasColumns;
use crate::kinds::db_common::spec::ColumnSpec;

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
        plan_start: std::time::SystemTime::now(),
        lookup: &lookup,
        evidence_cap: 8192,
        sensitive: &[],
        chain: &shipcheck_plan::kind::ChainState::default(),
        stop: &shipcheck_plan::kind::Stop::default(),
    };
    let observed = observe(
        &SqliteProbe {
            path: db.clone(),
            query: None,
            fetch: Vec::new(),
        },
        &cx,
    )
    .await
    .unwrap();
    let a = Assertion {
        query: q(DbQuery::Columns("users".into())),
        predicate: Predicate::Judge(KindJudge(Arc::new(HasColumns {
            table: "users".into(),
            want: ["user_id", "username", "is_active"]
                .map(|name| ColumnSpec {
                    name: name.into(),
                    data_type: None,
                    nullable: None,
                })
                .to_vec(),
        }))),
        pos: Pos::default(),
    };
    let r = crate::evaluate(&[a], observed.facts.as_ref());
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
        plan_start: std::time::SystemTime::now(),
        lookup: &lookup,
        evidence_cap: 8192,
        sensitive: &[],
        chain: &shipcheck_plan::kind::ChainState::default(),
        stop: &shipcheck_plan::kind::Stop::default(),
    };
    let err = observe(
        &SqliteProbe {
            path: db.clone(),
            query: None,
            fetch: Vec::new(),
        },
        &cx,
    )
    .await
    .unwrap_err();
    assert_eq!(err.class, FailureClass::Connect);
    assert!(!db.exists());
}
