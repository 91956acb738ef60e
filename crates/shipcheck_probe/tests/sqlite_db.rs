//! The `sqlite` probe's data-layer assertions on a database file opened read-only.
#![allow(clippy::expect_used, clippy::unwrap_used)] // test set-up panics

mod db_support;

use std::time::Duration;

use db_support::{check, run};
use rusqlite::Connection;

fn db(dir: &std::path::Path, sql: &str) -> std::path::PathBuf {
    let path = dir.join("app.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    path
}

#[tokio::test]
async fn seed_rows_integrity_typed_columns_and_schema_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(
        dir.path(),
        "CREATE TABLE users (user_id INTEGER PRIMARY KEY, username TEXT NOT NULL, is_active BOOLEAN);
         CREATE TABLE vehicles (vehicle_id INTEGER PRIMARY KEY, vin TEXT NOT NULL);
         INSERT INTO vehicles (vin) VALUES ('V1');",
    );
    std::fs::write(
        dir.path().join("schema.yaml"),
        "tables:\n  users: { user_id: integer, username: { type: text, nullable: false }, is_active: boolean }\n  vehicles: { vehicle_id: integer, vin: text, updated_at: timestamp }\n",
    )
    .unwrap();
    let yaml = "  - id: db
    sqlite: { path: app.db, query: \"SELECT vin, vehicle_id FROM vehicles ORDER BY vin\" }
    expect:
      integrity_check: ok
      columns: { users: { username: { type: TEXT, nullable: false }, is_active: bool } }
      rows:
        - { table: users, where: \"username = 'admin'\", at_least: 1 }
        - { table: vehicles, at_least: 2 }
        - { table: missing, at_least: 1 }
      schema: schema.yaml
      json: { \"$[0].vin\": V1, \"$\": { length: 1 } }
";
    let before = std::fs::read(&path).unwrap();
    let c = check(dir.path(), yaml);
    let (_, results) = run(&c, Duration::from_secs(5)).await.unwrap();
    let by = |s: &str| results.iter().find(|r| r.subject.starts_with(s)).unwrap();
    assert!(by("integrity_check").passed);
    assert!(by("columns of users").passed, "{results:#?}");
    assert!(by("json $[0].vin").passed);
    assert!(by("json $").passed);
    let admin = by("rows of users where username = 'admin'");
    assert!(!admin.passed);
    assert_eq!(admin.actual, "0");
    assert_eq!(by("rows of vehicles").actual, "1");
    assert!(
        by("rows of missing")
            .actual
            .contains("table `missing` does not exist")
    );
    assert_eq!(
        by("schema").actual,
        "1 difference: missing column `vehicles.updated_at`"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is unchanged"
    );
}

#[tokio::test]
async fn a_query_cannot_write_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(
        dir.path(),
        "CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1);",
    );
    for q in [
        "INSERT INTO t VALUES (2)",
        "SELECT 1; INSERT INTO t VALUES (3)",
        "DELETE FROM t",
    ] {
        let yaml = format!(
            "  - id: w\n    sqlite: {{ path: app.db, query: \"{q}\" }}\n    expect: {{ tables: [t] }}\n"
        );
        let outcome = run(&check(dir.path(), &yaml), Duration::from_secs(5)).await;
        assert!(outcome.is_err(), "`{q}` must not run");
    }
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}
