//! The `postgres` probe against a private PostgreSQL cluster started by the test.
#![allow(clippy::expect_used, clippy::unwrap_used)] // test set-up panics

mod db_support;

use std::time::{Duration, Instant};

use db_support::{check, run};
use shipcheck_probe::kinds::postgres::DbFacts;
use shipcheck_report::{AssertionResult, FailureClass};
use shipcheck_test_support::postgres::{PASSWORD, Postgres};

const DRIFTED: &str = "
CREATE TABLE users (user_id serial PRIMARY KEY, username text NOT NULL, password_hash text NOT NULL);
CREATE TABLE vehicles (id serial PRIMARY KEY, vin text NOT NULL, owner_id integer REFERENCES users,
                       created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('a1b2');
";

const EXPECTED_SCHEMA: &str = "
tables:
  users:
    user_id: { type: integer, nullable: false }
    username: { type: text, nullable: false }
    password_hash: text
    is_active: { type: boolean, nullable: false }
  vehicles:
    id: int4
    vin: text
    owner_id: { type: integer, nullable: true }
    created_at: timestamptz
    updated_at: timestamptz
";

fn write_alembic(dir: &std::path::Path) {
    let versions = dir.join("versions");
    std::fs::create_dir_all(&versions).unwrap();
    for (rev, down) in [("a1b2", "None"), ("c3d4", "'a1b2'"), ("e5f6", "'c3d4'")] {
        std::fs::write(
            versions.join(format!("{rev}_step.py")),
            format!("\"\"\"step\"\"\"\nrevision = '{rev}'\ndown_revision = {down}\n\ndef upgrade():\n    pass\n"),
        )
        .unwrap();
    }
}

fn failed(results: &[AssertionResult]) -> Vec<&AssertionResult> {
    results.iter().filter(|r| !r.passed).collect()
}

#[tokio::test]
async fn schema_drift_seed_data_and_migrations_then_all_fixed() {
    let Some(pg) = Postgres::start() else { return };
    pg.create_db("app");
    pg.sql("app", DRIFTED);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.yaml"), EXPECTED_SCHEMA).unwrap();
    write_alembic(dir.path());
    let yaml = format!(
        r#"  - id: db
    postgres: {{ url: "{}" }}
    expect:
      server_version: {{ regex: "^1[0-9]" }}
      tables: [users, vehicles]
      columns: {{ users: [user_id, username], vehicles: {{ vin: {{ type: text, nullable: false }} }} }}
      schema: schema.yaml
      rows:
        - {{ table: users, where: "username = 'admin'", at_least: 1 }}
        - {{ table: vehicles, at_least: 2 }}
      migrations: {{ tool: alembic, migrations_dir: versions }}
"#,
        pg.url("app")
    );
    let c = check(dir.path(), &yaml);
    let (observed, results) = run(&c, Duration::from_secs(10)).await.unwrap();
    let Some(facts) = observed.facts.as_any().downcast_ref::<DbFacts>() else {
        panic!("not a postgres observation")
    };
    assert!(facts.server_version.as_deref().unwrap().starts_with("15"));
    let bad = failed(&results);
    let subjects: Vec<&str> = bad.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(
        subjects.len(),
        4,
        "schema, two seed-data counts, migrations: {bad:#?}"
    );
    let schema = bad
        .iter()
        .find(|r| r.subject.starts_with("schema"))
        .unwrap();
    assert_eq!(
        schema.actual,
        "2 differences: missing column `users.is_active`; missing column `vehicles.updated_at`"
    );
    let admin = bad
        .iter()
        .find(|r| r.subject.contains("username = 'admin'"))
        .unwrap();
    assert_eq!(admin.actual, "0");
    let mig = bad
        .iter()
        .find(|r| r.subject == "alembic migrations")
        .unwrap();
    assert!(
        mig.actual
            .contains("behind by 2 (c3d4, e5f6 not applied; head is e5f6)"),
        "{}",
        mig.actual
    );

    // The migration runs, the seed step runs: everything passes.
    pg.sql(
        "app",
        "ALTER TABLE users ADD COLUMN is_active boolean NOT NULL DEFAULT true;
         ALTER TABLE vehicles ADD COLUMN updated_at timestamptz;
         UPDATE alembic_version SET version_num = 'e5f6';
         INSERT INTO users (username, password_hash) VALUES ('admin', 'x');
         INSERT INTO vehicles (vin, owner_id) VALUES ('V1', 1), ('V2', 1);",
    );
    let (_, results) = run(&c, Duration::from_secs(10)).await.unwrap();
    assert!(failed(&results).is_empty(), "{results:#?}");

    // A type and nullability mismatch is named too.
    pg.sql("app", "ALTER TABLE users ALTER COLUMN is_active DROP NOT NULL; ALTER TABLE vehicles ALTER COLUMN vin TYPE varchar(20)");
    let (_, results) = run(&c, Duration::from_secs(10)).await.unwrap();
    let schema = results
        .iter()
        .find(|r| r.subject.starts_with("schema"))
        .unwrap();
    assert_eq!(
        schema.actual,
        "2 differences: `users.is_active` is nullable (expected NOT NULL); `vehicles.vin` has type character varying (expected text)"
    );
}

#[tokio::test]
async fn queries_are_read_only_unless_allowed() {
    let Some(pg) = Postgres::start() else { return };
    pg.create_db("app");
    pg.sql(
        "app",
        "CREATE TABLE t (id int PRIMARY KEY, name text); INSERT INTO t VALUES (1, 'one')",
    );
    let dir = tempfile::tempdir().unwrap();
    let probe = |query: &str, extra: &str| {
        format!(
            "  - id: q\n    postgres: {{ url: \"{}\", query: \"{query}\"{extra} }}\n    expect: {{ json: {{ \"$[0].id\": 1 }} }}\n",
            pg.url("app")
        )
    };

    // Rows as JSON, by column name.
    let c = check(dir.path(), &probe("SELECT id, name FROM t ORDER BY id", ""));
    let (observed, results) = run(&c, Duration::from_secs(10)).await.unwrap();
    assert!(results[0].passed, "{results:?}");
    let Some(f) = observed.facts.as_any().downcast_ref::<DbFacts>() else {
        panic!()
    };
    assert_eq!(f.rows.as_ref().unwrap()[0]["name"], "one");

    for attempt in [
        "INSERT INTO t VALUES (2, 'two') RETURNING id",
        "INSERT INTO t VALUES (3, 'three')",
        "COMMIT; INSERT INTO t VALUES (4, 'four')",
        "SELECT 1 AS id; INSERT INTO t VALUES (5, 'five')",
    ] {
        let c = check(dir.path(), &probe(attempt, ""));
        let outcome = run(&c, Duration::from_secs(10)).await;
        let passed = outcome
            .as_ref()
            .is_ok_and(|(_, r)| r.iter().all(|r| r.passed));
        assert!(!passed, "`{attempt}` must not pass");
        if let Err(e) = &outcome {
            assert_eq!(e.class, FailureClass::Protocol, "{e}");
        }
    }
    assert_eq!(
        pg.sql("app", "SELECT count(*) FROM t"),
        "1",
        "no row was written"
    );

    // Explicitly allowed: the write happens.
    let c = check(
        dir.path(),
        &probe(
            "INSERT INTO t VALUES (1 + 5, 'six') RETURNING id - 5 AS id",
            ", allow_writes: true",
        ),
    );
    let (_, results) = run(&c, Duration::from_secs(10)).await.unwrap();
    assert!(results[0].passed, "{results:?}");
    assert_eq!(pg.sql("app", "SELECT count(*) FROM t"), "2");
}

#[tokio::test]
async fn wrong_password_is_auth_and_never_shown_stopped_server_is_connect() {
    let Some(mut pg) = Postgres::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wrong = "Wr0ng-Pa55word";
    let yaml = format!(
        "  - id: db\n    postgres: {{ host: 127.0.0.1, port: {}, user: postgres, password: \"{wrong}\", dbname: postgres, sslmode: prefer }}\n    expect: {{ tables: [x] }}\n",
        pg.port
    );
    let c = check(dir.path(), &yaml);
    let err = run(&c, Duration::from_secs(10)).await.unwrap_err();
    assert_eq!(err.class, FailureClass::Auth, "{err}");
    assert!(
        err.sent_secrets.iter().any(|s| s == wrong),
        "registered for redaction"
    );
    let shown = format!("{err} {:?}", err.evidence);
    assert!(
        !shown.contains(wrong) && !shown.contains(PASSWORD),
        "{shown}"
    );

    // The right password over TLS-if-offered (the test cluster has no TLS: prefer falls back).
    let ok = yaml
        .replace(wrong, PASSWORD)
        .replace("tables: [x]", "tables: []");
    let c = check(dir.path(), &ok);
    let (observed, _) = run(&c, Duration::from_secs(10)).await.unwrap();
    let text: String = observed.evidence.iter().map(|e| e.text.clone()).collect();
    assert!(!text.contains(PASSWORD), "{text}");

    // sslmode=require against a server without TLS is a tls failure.
    let req = ok.replace("sslmode: prefer", "sslmode: require");
    let err = run(&check(dir.path(), &req), Duration::from_secs(10))
        .await
        .unwrap_err();
    assert_eq!(err.class, FailureClass::Tls, "{err}");

    pg.stop();
    let started = Instant::now();
    let err = run(&c, Duration::from_secs(3)).await.unwrap_err();
    assert_eq!(err.class, FailureClass::Connect, "{err}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn sslmode_is_honoured_against_a_tls_server() {
    let Some(pg) = Postgres::start_tls() else {
        return;
    };
    let dir = pg.dir().to_path_buf();
    let plan = |mode: &str, extra: &str| {
        format!(
            "  - id: db\n    postgres: {{ url: \"postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres?sslmode={mode}\"{extra} }}\n    expect: {{ server_version: {{ regex: \"^1\" }} }}\n",
            pg.port
        )
    };
    for (mode, extra) in [
        ("require", ""),
        ("verify-full", ", ca_file: ca.pem"),
        ("verify-ca", ", ca_file: ca.pem"),
        ("prefer", ""),
    ] {
        let (_, results) = run(&check(&dir, &plan(mode, extra)), Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(results[0].passed, "{mode}: {results:?}");
    }
    // The certificate is not trusted without the CA file.
    let err = run(
        &check(&dir, &plan("verify-full", "")),
        Duration::from_secs(10),
    )
    .await
    .unwrap_err();
    assert_eq!(err.class, FailureClass::Tls, "{err}");
    assert!(!err.message.contains(PASSWORD));
}

#[tokio::test]
async fn a_silent_server_times_out_and_an_unknown_host_is_dns() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut conns = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            conns.push(s);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let plan = |host: &str, port: u16| {
        format!(
            "  - id: db\n    postgres: {{ url: \"postgres://u:p@{host}:{port}/db?sslmode=disable\" }}\n"
        )
    };
    let started = Instant::now();
    let err = run(
        &check(dir.path(), &plan("127.0.0.1", port)),
        Duration::from_secs(1),
    )
    .await
    .unwrap_err();
    assert_eq!(err.class, FailureClass::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
    held.abort();

    let err = run(
        &check(dir.path(), &plan("no-such-host.invalid", 5432)),
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err.class, FailureClass::Dns | FailureClass::Timeout),
        "{err}"
    );
}

#[tokio::test]
async fn drift_against_a_pg_dump_schema_only_file() {
    let Some(pg) = Postgres::start() else { return };
    pg.create_db("good");
    pg.sql(
        "good",
        "CREATE TABLE users (user_id serial PRIMARY KEY, username text NOT NULL, password_hash text NOT NULL,
                             is_active boolean NOT NULL DEFAULT true);
         CREATE TABLE vehicles (id serial PRIMARY KEY, vin text NOT NULL, owner_id integer REFERENCES users,
                                created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz);",
    );
    pg.create_db("app");
    pg.sql("app", DRIFTED);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.sql"), pg.dump_schema("good")).unwrap();
    let plan = |db: &str| {
        format!(
            "  - id: db\n    postgres: {{ url: \"{}\" }}\n    expect: {{ schema: schema.sql }}\n",
            pg.url(db)
        )
    };
    let (_, results) = run(&check(dir.path(), &plan("good")), Duration::from_secs(10))
        .await
        .unwrap();
    assert!(results[0].passed, "{results:#?}");
    let (_, results) = run(&check(dir.path(), &plan("app")), Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(
        results[0].actual,
        "2 differences: missing column `users.is_active`; missing column `vehicles.updated_at`"
    );
}
