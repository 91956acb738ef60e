//! The demo's SQLite database: schema per scenario, seed data, and the queries the handlers run.
//!
//! The file is recreated at every start. Handlers reach it through [`Db::call`], which runs the
//! query on tokio's blocking pool with one shared connection.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::DemoError;
use crate::scenario::Scenario;

const COMMANDS_TABLE: &str = "CREATE TABLE commands (
    command_id TEXT PRIMARY KEY,
    vehicle_id INTEGER NOT NULL REFERENCES vehicles(vehicle_id),
    user_id INTEGER NOT NULL REFERENCES users(user_id),
    command TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    created_at TEXT NOT NULL
);";

/// The schema the application expects (what the migrations should have produced).
const SCHEMA: &str = "
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    username TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE vehicles (
    vehicle_id INTEGER PRIMARY KEY,
    vin TEXT NOT NULL,
    model TEXT NOT NULL,
    updated_at TEXT NOT NULL
);";

/// The drifted schema: a migration that never added `is_active` and `updated_at`.
const DRIFTED_SCHEMA: &str = "
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    username TEXT UNIQUE NOT NULL,
    password_hash TEXT NOT NULL
);
CREATE TABLE vehicles (
    vehicle_id INTEGER PRIMARY KEY,
    vin TEXT NOT NULL,
    model TEXT NOT NULL
);";

/// The two seeded vehicles: (vin, model, updated_at).
const SEED_VEHICLES: [(&str, &str, &str); 2] = [
    (
        "1HGCM82633A004352",
        "Diagnostics Rig A",
        "2025-01-15T09:30:00Z",
    ),
    ("WVWZZZ1JZXW000001", "Fleet Van 2", "2025-01-16T14:05:00Z"),
];

/// A user row as the login query reads it.
pub(crate) struct UserRow {
    pub(crate) user_id: i64,
    pub(crate) password_hash: String,
    pub(crate) is_active: bool,
}

/// A vehicle as the API returns it.
#[derive(Debug, Serialize)]
pub(crate) struct Vehicle {
    pub(crate) vehicle_id: i64,
    pub(crate) vin: String,
    pub(crate) model: String,
    pub(crate) updated_at: String,
}

/// Why a query did not produce a result.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    #[error("{}", sql_message(.0))]
    Sql(#[from] rusqlite::Error),
    #[error("database task failed")]
    Task,
}

/// SQLite's own message, without the SQL text rusqlite appends to prepare errors.
fn sql_message(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

/// The shared database handle.
#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Deletes any previous database at `path`, creates the schema `scenario` calls for and, unless
    /// the scenario is `no-seed-data`, seeds the admin user (with `admin_hash`) and two vehicles.
    pub(crate) fn create(
        path: &Path,
        scenario: Scenario,
        admin_hash: &str,
    ) -> Result<Db, DemoError> {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(DemoError::Io { path: file, source }),
            }
        }
        let db_err = |source| DemoError::Database {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(db_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        let drifted = scenario == Scenario::SchemaDrift;
        let schema = if drifted { DRIFTED_SCHEMA } else { SCHEMA };
        conn.execute_batch(schema).map_err(db_err)?;
        conn.execute_batch(COMMANDS_TABLE).map_err(db_err)?;
        if scenario != Scenario::NoSeedData {
            seed(&conn, drifted, admin_hash).map_err(db_err)?;
        }
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(crate) async fn call<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&conn)
        })
        .await
        .map_err(|_| DbError::Task)?
        .map_err(DbError::Sql)
    }
}

fn seed(conn: &Connection, drifted: bool, admin_hash: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO users (username, password_hash) VALUES ('admin', ?1)",
        params![admin_hash],
    )?;
    for (vin, model, updated_at) in SEED_VEHICLES {
        if drifted {
            conn.execute(
                "INSERT INTO vehicles (vin, model) VALUES (?1, ?2)",
                params![vin, model],
            )?;
        } else {
            conn.execute(
                "INSERT INTO vehicles (vin, model, updated_at) VALUES (?1, ?2, ?3)",
                params![vin, model, updated_at],
            )?;
        }
    }
    Ok(())
}

/// The readiness query.
pub(crate) fn ping(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT 1", [], |row| row.get(0))
}

/// The login query, written against the schema the application expects.
pub(crate) fn find_user(conn: &Connection, username: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.query_row(
        "SELECT user_id, username, password_hash, is_active FROM users WHERE username = ?1",
        params![username],
        |row| {
            Ok(UserRow {
                user_id: row.get(0)?,
                password_hash: row.get(2)?,
                is_active: row.get::<_, i64>(3)? != 0,
            })
        },
    )
    .optional()
}

/// All vehicles, by id.
pub(crate) fn list_vehicles(conn: &Connection) -> rusqlite::Result<Vec<Vehicle>> {
    let mut stmt = conn.prepare(
        "SELECT vehicle_id, vin, model, updated_at FROM vehicles ORDER BY vehicle_id LIMIT 1000",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(Vehicle {
            vehicle_id: row.get(0)?,
            vin: row.get(1)?,
            model: row.get(2)?,
            updated_at: row.get(3)?,
        })
    })?;
    rows.collect()
}

/// Stores a submitted command if the vehicle exists; `Ok(false)` when it does not.
pub(crate) fn insert_command(
    conn: &Connection,
    command_id: &str,
    vehicle_id: i64,
    user_id: i64,
    command: &str,
) -> rusqlite::Result<bool> {
    let exists: Option<i64> = conn
        .query_row(
            "SELECT vehicle_id FROM vehicles WHERE vehicle_id = ?1",
            params![vehicle_id],
            |row| row.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO commands (command_id, vehicle_id, user_id, command, created_at)
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        params![command_id, vehicle_id, user_id, command],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(scenario: Scenario) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        drop(Db::create(&path, scenario, "hash").unwrap());
        let conn = Connection::open(&path).unwrap();
        (dir, conn)
    }

    #[test]
    fn healthy_schema_is_seeded() {
        let (_dir, conn) = open(Scenario::Healthy);
        let user = find_user(&conn, "admin").unwrap().unwrap();
        assert!(user.is_active);
        assert_eq!(user.password_hash, "hash");
        assert_eq!(list_vehicles(&conn).unwrap().len(), 2);
        assert!(insert_command(&conn, "c1", 1, user.user_id, "ping").unwrap());
        assert!(!insert_command(&conn, "c2", 99, user.user_id, "ping").unwrap());
    }

    #[test]
    fn drifted_schema_names_the_missing_column() {
        let (_dir, conn) = open(Scenario::SchemaDrift);
        let err = DbError::from(find_user(&conn, "admin").err().unwrap());
        assert_eq!(err.to_string(), "no such column: is_active");
        let err = DbError::from(list_vehicles(&conn).unwrap_err());
        assert_eq!(err.to_string(), "no such column: updated_at");
    }

    #[test]
    fn no_seed_data_leaves_tables_empty() {
        let (_dir, conn) = open(Scenario::NoSeedData);
        assert!(find_user(&conn, "admin").unwrap().is_none());
        assert!(list_vehicles(&conn).unwrap().is_empty());
    }

    #[test]
    fn create_replaces_a_previous_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        drop(Db::create(&path, Scenario::Healthy, "h").unwrap());
        drop(Db::create(&path, Scenario::NoSeedData, "h").unwrap());
        let conn = Connection::open(&path).unwrap();
        assert!(list_vehicles(&conn).unwrap().is_empty());
    }
}
