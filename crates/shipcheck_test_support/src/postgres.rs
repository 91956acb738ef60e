//! A private PostgreSQL cluster: `initdb` + `pg_ctl` in a temporary directory on a free
//! loopback port. As root (CI), the binaries run as `postgres` through `runuser`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The superuser's password in every test cluster.
pub const PASSWORD: &str = "s3cret-pg-pass";

/// A running cluster; stopped (and its directory removed) on drop.
pub struct Postgres {
    /// The loopback port it listens on.
    pub port: u16,
    bin: PathBuf,
    data: PathBuf,
    dir: tempfile::TempDir,
    as_root: bool,
    stopped: bool,
}

fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Postgres {
    /// Starts a cluster, or returns `None` (after [`crate::skip_or_fail`]) without PostgreSQL.
    pub fn start() -> Option<Postgres> {
        Self::start_with(false)
    }

    /// Starts a cluster that also offers TLS, with `ca.pem`, `server.pem` and `server.key`
    /// (for localhost and 127.0.0.1) in [`Postgres::dir`].
    pub fn start_tls() -> Option<Postgres> {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Option<Postgres> {
        let Some(bin) = bin_dir() else {
            crate::skip_or_fail("PostgreSQL (initdb/pg_ctl in /usr/lib/postgresql/*/bin)");
            return None;
        };
        let as_root = is_root();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::write(dir.path().join("pw"), PASSWORD).unwrap();
        if tls {
            crate::write_certs(dir.path());
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                dir.path().join("server.key"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        if as_root {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown the cluster directory to postgres");
        }
        let mut pg = Postgres {
            port: 0,
            bin,
            data,
            dir,
            as_root,
            stopped: true,
        };
        let init = pg.tool(
            "initdb",
            &[
                "-D",
                pg.data.to_str().unwrap(),
                "-U",
                "postgres",
                "--pwfile",
                pg.dir.path().join("pw").to_str().unwrap(),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        // A port can be taken between picking and binding: retry a few times.
        for _ in 0..5 {
            pg.port = crate::free_port();
            let mut opts = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                pg.port,
                pg.dir.path().display()
            );
            if tls {
                let d = pg.dir.path().display();
                opts.push_str(&format!(
                    " -c ssl=on -c ssl_cert_file={d}/server.pem -c ssl_key_file={d}/server.key"
                ));
            }
            let log = pg.dir.path().join("log");
            let out = pg.tool(
                "pg_ctl",
                &[
                    "-D",
                    pg.data.to_str().unwrap(),
                    "-o",
                    &opts,
                    "-l",
                    log.to_str().unwrap(),
                    "-w",
                    "-t",
                    "30",
                    "start",
                ],
            );
            if out.status.success() {
                pg.stopped = false;
                return Some(pg);
            }
        }
        let log = std::fs::read_to_string(pg.dir.path().join("log")).unwrap_or_default();
        panic!("pg_ctl start failed: {log}");
    }

    fn tool(&self, name: &str, args: &[&str]) -> Output {
        let exe = self.bin.join(name);
        let mut cmd = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(self.dir.path());
        cmd.output().unwrap_or_else(|e| panic!("run {name}: {e}"))
    }

    /// A URL for `db` as the superuser (password included).
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Runs SQL with psql as the superuser in `db`; panics on error.
    pub fn sql(&self, db: &str, sql: &str) -> String {
        self.client(
            "psql",
            &["-d", db, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
            sql,
        )
        .trim()
        .to_owned()
    }

    /// `pg_dump --schema-only` of `db`.
    pub fn dump_schema(&self, db: &str) -> String {
        self.client("pg_dump", &["--schema-only", db], db)
    }

    /// Runs a client `tool` as the superuser over TCP (10 s connect timeout) and returns its
    /// stdout; panics, naming `what`, when it fails.
    fn client(&self, tool: &str, args: &[&str], what: &str) -> String {
        let out = Command::new(self.bin.join(tool))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres"])
            .args(args)
            .env("PGPASSWORD", PASSWORD)
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {what}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Creates a database.
    pub fn create_db(&self, db: &str) {
        self.sql("postgres", &format!("CREATE DATABASE \"{db}\""));
    }

    /// Stops the server (fast shutdown), e.g. to test a stopped server.
    pub fn stop(&mut self) {
        if !self.stopped {
            let _ = self.tool(
                "pg_ctl",
                &[
                    "-D",
                    self.data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
            );
            self.stopped = true;
        }
    }

    /// The cluster directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
