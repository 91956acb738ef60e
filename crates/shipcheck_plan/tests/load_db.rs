//! The data-layer keys: `postgres:`, `redis:`, `sqlite: { query }` and the database and
//! Redis expectations, loaded and rejected with positions.
#![allow(clippy::unwrap_used)] // test set-up panics

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use shipcheck_plan::{KindQuery, Plan, Predicate, Query, load_str};
use shipcheck_probe::kinds::postgres::{
    DbQuery, MigrationSpec, MigrationTool, PgTarget, PostgresProbe,
};
use shipcheck_probe::kinds::redis::{KeyAspect, RedisProbe, RedisQuery};
use shipcheck_probe::kinds::sqlite::SqliteProbe;

fn env(name: &str) -> Option<String> {
    (name == "PGPASSWORD").then(|| "pg-s3cret".to_owned())
}

fn load_in(dir: &Path, checks: &str) -> Result<Plan, String> {
    let src = format!("name: t\nsecrets: [PGPASSWORD]\nchecks:\n{checks}");
    load_str(&src, &dir.join("plan.yaml"), &env, shipcheck_probe::KINDS).map_err(|e| e.to_string())
}

fn load(checks: &str) -> Plan {
    let dir = tempfile::tempdir().unwrap();
    load_in(dir.path(), checks).unwrap_or_else(|e| panic!("should load:\n{e}"))
}

/// The probe of check `i`, as the kind's own type.
fn probe<T: 'static>(plan: &Plan, i: usize) -> &T {
    let p = &plan.checks[i].probe;
    match p.as_any().downcast_ref::<T>() {
        Some(t) => t,
        None => panic!("check {i} is {}", p.kind()),
    }
}

/// A kind's query as the plan holds it (compared by subject).
fn kq(q: impl shipcheck_plan::kind::Select) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

fn errors(checks: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    match load_in(dir.path(), checks) {
        Ok(_) => panic!("should not load:\n{checks}"),
        Err(e) => e,
    }
}

#[test]
fn postgres_url_fields_query_and_what_the_probe_fetches() {
    let plan = load(
        r#"  - id: db
    postgres: { url: "postgres://app:${PGPASSWORD}@db:5432/app?sslmode=require", query: "SELECT 1 AS one" }
    expect:
      json: { "$[0].one": 1 }
      rows: [{ table: users, where: "username = 'admin'", at_least: 1 }, { table: vehicles, equals: 2 }]
      migrations: { tool: alembic }
      columns: { users: [user_id], vehicles: { vin: { type: text, nullable: false }, model: varchar } }
  - id: fields
    postgres: { host: db, user: app, password: "${PGPASSWORD}", sslmode: verify-full, allow_writes: true }
"#,
    );
    let p: &PostgresProbe = probe(&plan, 0);
    assert!(matches!(&p.target, PgTarget::Url(u) if u.contains("sslmode=require")));
    assert_eq!(p.query.as_deref(), Some("SELECT 1 AS one"));
    assert!(!p.allow_writes);
    let users = DbQuery::Rows {
        table: "users".into(),
        filter: Some("username = 'admin'".into()),
    };
    assert_eq!(
        p.fetch.len(),
        3,
        "two row counts and the migrations: {:?}",
        p.fetch
    );
    assert_eq!(p.fetch[0], users);
    assert!(
        matches!(&p.fetch[2], DbQuery::Migrations(m) if m.tool == MigrationTool::Alembic && m.dir.is_none())
    );
    let expect = &plan.checks[0].expect;
    let users = kq(users);
    assert!(expect.iter().any(|a| a.query == users
        && a.predicate
            == Predicate::AtLeast(shipcheck_plan::Quantity {
                value: 1.0,
                unit: shipcheck_plan::Unit::Number
            })));
    assert!(
        expect.iter().any(|a| format!("{:?}", a.predicate)
            == "Judge(has_columns vin text not null, model varchar)")
    );
    assert!(
        expect
            .iter()
            .any(|a| a.predicate == Predicate::Equals(json!(2)))
    );

    let f: &PostgresProbe = probe(&plan, 1);
    assert!(f.allow_writes);
    match &f.target {
        PgTarget::Fields {
            host,
            port,
            user,
            password,
            sslmode,
            ..
        } => {
            assert_eq!((host.as_str(), *port, user.as_str()), ("db", 5432, "app"));
            assert_eq!(password.as_deref(), Some("pg-s3cret"));
            assert_eq!(sslmode.as_deref(), Some("verify-full"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn schema_file_and_migrations_dir_resolve_against_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("schema.yaml"),
        "tables:\n  users: { id: integer, email: { type: text, nullable: false } }\n",
    )
    .unwrap();
    let plan = load_in(
        dir.path(),
        "  - id: s\n    sqlite: app.db\n    expect: { schema: schema.yaml, migrations: { tool: flyway, migrations_dir: sql }, integrity_check: ok }\n",
    )
    .unwrap();
    let expect = &plan.checks[0].expect;
    let Predicate::Judge(schema) = &expect[0].predicate else {
        panic!("{:?}", expect[0])
    };
    assert_eq!(schema.0.describe().0, "matches");
    let schema = format!("{:?}", schema.0);
    assert!(
        schema.contains(
            r#""users": [ColumnSpec { name: "id", data_type: Some("integer"), nullable: None }, ColumnSpec { name: "email", data_type: Some("text"), nullable: Some(false) }]"#
        ),
        "{schema}"
    );
    let migrations = DbQuery::Migrations(MigrationSpec {
        tool: MigrationTool::Flyway,
        dir: Some(dir.path().join("sql")),
    });
    assert_eq!(expect[1].query, kq(migrations.clone()));
    let s: &SqliteProbe = probe(&plan, 0);
    assert_eq!(
        s.fetch[0], migrations,
        "the directory resolves against the plan"
    );
    assert_eq!(s.fetch.len(), 2, "migrations and integrity: {:?}", s.fetch);

    let e = load_in(
        dir.path(),
        "  - id: s\n    sqlite: app.db\n    expect: { schema: missing.yaml }\n",
    )
    .unwrap_err();
    assert!(e.contains("cannot read the expected-schema file"), "{e}");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "tables:\n  users: { id: { typ: int } }\n",
    )
    .unwrap();
    let e = load_in(
        dir.path(),
        "  - id: s\n    sqlite: app.db\n    expect: { schema: bad.yaml }\n",
    )
    .unwrap_err();
    assert!(
        e.contains("bad.yaml:2:") && e.contains("unknown key `typ`"),
        "{e}"
    );
}

#[test]
fn redis_keys_info_and_ping() {
    let plan = load(
        r#"  - id: cache
    redis: { url: "rediss://cache:6380/1", username: worker, password: "${PGPASSWORD}", insecure: true }
    expect:
      ping: { under: 50ms }
      info: { role: master, connected_slaves: { at_least: 1 } }
      keys: { celery: { type: list, length: { under: 100 }, ttl: -1, exists: true } }
"#,
    );
    let r: &RedisProbe = probe(&plan, 0);
    assert!(r.insecure);
    assert_eq!(r.username.as_deref(), Some("worker"));
    assert_eq!(r.fetch.len(), 4, "{:?}", r.fetch);
    let queries: Vec<&Query> = plan.checks[0].expect.iter().map(|a| &a.query).collect();
    assert!(queries.contains(&&kq(RedisQuery::Ping)));
    assert!(queries.contains(&&kq(RedisQuery::Info("role".into()))));
    assert!(queries.contains(&&kq(RedisQuery::Key("celery".into(), KeyAspect::Length))));
    assert_eq!(
        r.fetch[0],
        RedisQuery::Key("celery".into(), KeyAspect::Type),
        "{:?}",
        r.fetch
    );
}

#[test]
fn mistakes_are_reported_with_positions() {
    let e = errors(
        r#"  - id: a
    postgres: { url: "mysql://x", sslmod: require }
  - id: b
    postgres: { host: db, user: u, sslmode: always }
  - id: c
    postgres: { url: "postgres://u@h/db", host: h }
  - id: d
    redis: "http://cache"
  - id: e
    sqlite: app.db
    expect: { keys: { q: { exists: true } }, rows: { table: users }, migrations: { tool: liquibase } }
  - id: f
    postgres: "postgres://u@h/db"
    capture: { x: "$.a" }
"#,
    );
    for want in [
        "unknown key `sslmod` in a postgres probe",
        "did you mean `sslmode`?",
        "a postgres URL must start with `postgres://`",
        "`always` is not an sslmode",
        "use either `url` or `host`",
        "a redis URL must start with `redis://` or `rediss://`",
        "`keys` does not apply to sqlite probes",
        "`rows` has no bound",
        "`liquibase` is not a supported migration tool",
        "captures need an http, websocket, exec or helm probe",
        "not available for postgres",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    assert!(
        e.contains("plan.yaml:5:"),
        "positions point into the plan:\n{e}"
    );
}
