//! `examples/field-system-1/plan.yaml` end to end: a private nginx stands in for the
//! FastAPI/React app, and a private PostgreSQL and Redis hold its data — all started here on
//! loopback ports (not the demo). The healthy deployment is ready; the FIELD.md failure
//! (migration not run, seed step skipped, queue backing up) is not ready, with each
//! problem named, and no password appears in any output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use shipcheck_test_support::{Listen, Nginx, postgres, redis};

const PG_APP_PASSWORD: &str = "app-Pg-pa55word";
const REDIS_PASSWORD: &str = "redis-Pa55word-1";
const ADMIN_PASSWORD: &str = "admin-Pa55word-1";
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.field-system-1";

/// The app's HTTP surface, served by nginx.
fn server_block() -> String {
    format!(
        r#"
    location = /health/live {{ default_type application/json; return 200 '{{"status":"ok"}}'; }}
    location = /health/ready {{ default_type application/json; return 200 '{{"status":"ok","checks":{{"database":"ok","redis":"ok"}}}}'; }}
    location = /docs {{ default_type text/html; return 200 '<!doctype html><title>Swagger UI</title>'; }}
    location = /openapi.json {{ default_type application/json; return 200 '{{"openapi":"3.1.0","paths":{{}}}}'; }}
    location = /metrics {{ default_type text/plain; return 200 '# TYPE http_requests_total counter\nhttp_requests_total 3\n'; }}
    location = / {{ default_type text/html; return 200 '<!doctype html><div id="root"></div><script src="/assets/index-3f2a.js"></script>'; }}
    location = /api/v1/auth/login {{ default_type application/json; return 200 '{{"access_token":"{TOKEN}","token_type":"bearer"}}'; }}
    location = /api/v1/vehicles {{
        if ($request_method = OPTIONS) {{
            add_header Access-Control-Allow-Origin $http_origin;
            add_header Access-Control-Allow-Methods "GET, POST, OPTIONS";
            return 204;
        }}
        default_type application/json;
        if ($http_authorization != "Bearer {TOKEN}") {{ return 401 '{{"detail":"Not authenticated"}}'; }}
        return 200 '[{{"vin":"WVW1"}},{{"vin":"WVW2"}}]';
    }}
"#
    )
}

/// The app: a private nginx serving [`server_block`].
fn start_app() -> Option<Nginx> {
    Nginx::builder()
        .server(Listen::Http, server_block())
        .start()
}

fn example_plan() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/field-system-1/plan.yaml")
}

fn verify(
    app: &Nginx,
    pg: &postgres::Postgres,
    r: &redis::Redis,
    out: &Path,
) -> (i32, Value, String) {
    let plan = example_plan();
    let run = support::shipcheck(
        &[
            "verify",
            plan.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &[
            ("API_BASE_URL", &app.url()),
            ("PGHOST", "127.0.0.1"),
            ("PGPORT", &pg.port.to_string()),
            ("PGSSLMODE", "disable"),
            ("PGPASSWORD", PG_APP_PASSWORD),
            ("REDIS_PORT", &r.port.to_string()),
            ("REDIS_PASSWORD", REDIS_PASSWORD),
            ("ADMIN_PASSWORD", ADMIN_PASSWORD),
        ],
        out.parent().unwrap(),
    );
    let mut all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for entry in std::fs::read_dir(out).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|_| panic!("{all}")),
    )
    .unwrap();
    (run.status.code().unwrap_or(-1), report, all)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn field_system_1_example_plan_end_to_end() {
    let Some(app) = start_app() else { return };
    let Some(pg) = postgres::Postgres::start() else {
        return;
    };
    let Some(r) = redis::Redis::start(redis::Options {
        password: Some(REDIS_PASSWORD),
        tls: false,
    }) else {
        return;
    };
    pg.sql(
        "postgres",
        &format!("CREATE ROLE app LOGIN PASSWORD '{PG_APP_PASSWORD}'"),
    );
    pg.sql("postgres", "CREATE DATABASE app OWNER app");
    // What `alembic upgrade head` and the seed job produce.
    pg.sql(
        "app",
        "SET ROLE app;
         CREATE TABLE users (user_id serial PRIMARY KEY, username text NOT NULL, password_hash text NOT NULL,
                             is_active boolean NOT NULL DEFAULT true);
         CREATE TABLE vehicles (vehicle_id serial PRIMARY KEY, vin text NOT NULL, model text,
                                owner_id integer REFERENCES users, updated_at timestamptz);
         CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
         INSERT INTO alembic_version VALUES ('0003_is_active_updated_at');
         INSERT INTO users (username, password_hash) VALUES ('admin', '$argon2id$x');
         INSERT INTO vehicles (vin, model, owner_id) VALUES ('WVW1', 'Golf', 1), ('WVW2', 'Polo', 1);",
    );
    r.cli(Some(REDIS_PASSWORD), &["RPUSH", "celery", "job-1", "job-2"]);

    let dir = tempfile::tempdir().unwrap();
    let (code, report, all) = verify(&app, &pg, &r, &dir.path().join("healthy"));
    assert_eq!(report["verdict"]["status"], "ready", "{all}");
    assert_eq!(code, 0);
    assert_eq!(report["coverage"]["ran"], report["coverage"]["planned"]);
    for secret in [PG_APP_PASSWORD, REDIS_PASSWORD, ADMIN_PASSWORD, TOKEN] {
        assert!(!all.contains(secret), "a secret leaked into the output");
    }

    // The FIELD.md deployment: the last migration did not run, the seed job did not run,
    // and the Celery queue is backing up.
    pg.sql(
        "app",
        "ALTER TABLE users DROP COLUMN is_active;
         ALTER TABLE vehicles DROP COLUMN updated_at;
         UPDATE alembic_version SET version_num = '0001_users';
         DELETE FROM vehicles; DELETE FROM users;",
    );
    for i in 0..120 {
        r.cli(
            Some(REDIS_PASSWORD),
            &["RPUSH", "celery", &format!("job-{i}")],
        );
    }
    let (code, report, all) = verify(&app, &pg, &r, &dir.path().join("drifted"));
    assert_eq!(code, 1, "{all}");
    assert_eq!(report["verdict"]["status"], "not-ready");
    let schema = check(&report, "schema").to_string();
    assert_eq!(check(&report, "schema")["status"], "failed");
    assert!(
        schema.contains(
            "2 differences: missing column `users.is_active`; missing column `vehicles.updated_at`"
        ),
        "{schema}"
    );
    let migrations = check(&report, "migrations").to_string();
    assert!(
        migrations.contains(
            "behind by 2 (0002_vehicles, 0003_is_active_updated_at not applied; head is 0003_is_active_updated_at)"
        ),
        "{migrations}"
    );
    // The seed-data condition names a column that no longer exists: the check cannot count.
    assert_eq!(check(&report, "seed-data")["status"], "failed");
    assert!(
        check(&report, "seed-data")
            .to_string()
            .contains("is_active")
    );
    assert_eq!(check(&report, "redis")["status"], "failed");
    assert!(
        check(&report, "redis")
            .to_string()
            .contains("key celery length")
    );
    for id in [
        "liveness",
        "readiness",
        "login",
        "vehicles",
        "cors-preflight",
    ] {
        assert_eq!(check(&report, id)["status"], "passed", "{id}");
    }
    for secret in [PG_APP_PASSWORD, REDIS_PASSWORD, ADMIN_PASSWORD, TOKEN] {
        assert!(!all.contains(secret), "a secret leaked into the output");
    }
}
