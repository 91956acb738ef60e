//! A private `redis-server` child process on a free loopback port, with persistence off and
//! its directory in a temporary directory; killed by PID on drop.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running redis-server.
pub struct Redis {
    /// The loopback port it listens on (the TLS port when TLS is on).
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

/// Options for [`Redis::start`].
#[derive(Default)]
pub struct Options<'a> {
    /// `requirepass`.
    pub password: Option<&'a str>,
    /// Serve TLS only, with `ca.pem`/`server.pem`/`server.key` written into the temp dir.
    pub tls: bool,
}

impl Redis {
    /// Starts redis-server, or returns `None` (after [`crate::skip_or_fail`]) without it.
    pub fn start(opts: Options<'_>) -> Option<Redis> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            crate::skip_or_fail("redis-server");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        if opts.tls {
            crate::write_certs(dir.path());
        }
        for _ in 0..5 {
            let port = crate::free_port();
            let mut cmd = Command::new("redis-server");
            cmd.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path());
            if opts.tls {
                let p = |f: &str| dir.path().join(f).display().to_string();
                cmd.args(["--port", "0", "--tls-port", &port.to_string()])
                    .args(["--tls-cert-file", &p("server.pem")])
                    .args(["--tls-key-file", &p("server.key")])
                    .args(["--tls-ca-cert-file", &p("ca.pem")])
                    .args(["--tls-auth-clients", "no"]);
            } else {
                cmd.args(["--port", &port.to_string()]);
            }
            if let Some(pw) = opts.password {
                cmd.args(["--requirepass", pw]);
            }
            let mut child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if crate::listening(port) {
                    return Some(Redis { port, child, dir });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("redis-server did not start");
    }

    /// Runs redis-cli against the server (plain connections only).
    pub fn cli(&self, password: Option<&str>, args: &[&str]) -> String {
        let mut cmd = Command::new("redis-cli");
        cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        if let Some(pw) = password {
            cmd.env("REDISCLI_AUTH", pw);
        }
        let out = cmd.args(args).output().unwrap();
        assert!(out.status.success(), "redis-cli {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The temporary directory (holds the certificates when TLS is on).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
