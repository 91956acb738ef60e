//! The data-layer keys: `postgres:`, `redis:`, `sqlite: { query }` and the database and
//! Redis expectations, loaded and rejected with positions.
#![allow(clippy::unwrap_used)] // test set-up panics

use std::path::Path;

use serde_json::json;
use shipcheck_plan::{
    ColumnSpec, KeyAspect, MigrationTool, PgTarget, Plan, Predicate, Probe, Query, load_str,
};

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
    let Probe::Postgres(p) = &plan.checks[0].probe else {
        panic!("not postgres")
    };
    assert!(matches!(&p.target, PgTarget::Url(u) if u.contains("sslmode=require")));
    assert_eq!(p.query.as_deref(), Some("SELECT 1 AS one"));
    assert!(!p.allow_writes);
    let users = Query::Rows {
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
        matches!(&p.fetch[2], Query::Migrations(m) if m.tool == MigrationTool::Alembic && m.dir.is_none())
    );
    let expect = &plan.checks[0].expect;
    assert!(expect.iter().any(|a| a.query == users
        && a.predicate
            == Predicate::AtLeast(shipcheck_plan::Quantity {
                value: 1.0,
                unit: shipcheck_plan::Unit::Number
            })));
    assert!(expect.iter().any(|a| a.predicate
        == Predicate::ColumnSpecs(vec![
            ColumnSpec {
                name: "vin".into(),
                data_type: Some("text".into()),
                nullable: Some(false)
            },
            ColumnSpec {
                name: "model".into(),
                data_type: Some("varchar".into()),
                nullable: None
            },
        ])));
    assert!(
        expect
            .iter()
            .any(|a| a.predicate == Predicate::Equals(json!(2)))
    );

    let Probe::Postgres(f) = &plan.checks[1].probe else {
        panic!("not postgres")
    };
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
    let Predicate::MatchesSchema(schema) = &expect[0].predicate else {
        panic!("{:?}", expect[0])
    };
    assert_eq!(schema.tables["users"][1].nullable, Some(false));
    let Query::Migrations(m) = &expect[1].query else {
        panic!()
    };
    assert_eq!(m.dir.as_deref(), Some(dir.path().join("sql").as_path()));
    let Probe::Sqlite(s) = &plan.checks[0].probe else {
        panic!()
    };
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
    let Probe::Redis(r) = &plan.checks[0].probe else {
        panic!("not redis")
    };
    assert!(r.insecure);
    assert_eq!(r.username.as_deref(), Some("worker"));
    assert_eq!(r.fetch.len(), 4, "{:?}", r.fetch);
    let queries: Vec<&Query> = plan.checks[0].expect.iter().map(|a| &a.query).collect();
    assert!(queries.contains(&&Query::Ping));
    assert!(queries.contains(&&Query::Info("role".into())));
    assert!(queries.contains(&&Query::Key("celery".into(), KeyAspect::Length)));
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
        "captures need an http probe",
        "not available for postgres",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    assert!(
        e.contains("plan.yaml:5:"),
        "positions point into the plan:\n{e}"
    );
}
