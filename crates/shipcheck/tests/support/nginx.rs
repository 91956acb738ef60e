//! A private nginx on a loopback port, configured by the test, stopped on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian puts nginx.
const CANDIDATES: [&str; 2] = ["/usr/sbin/nginx", "/usr/bin/nginx"];

/// A running nginx; killed (by its PID) when dropped. It runs with `master_process off`,
/// as one process, so killing that PID leaves no orphaned worker behind.
pub struct Nginx {
    pub port: u16,
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

fn binary() -> Option<PathBuf> {
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The server blocks the tests use; `ROOT` is replaced with the document root.
const SERVER: &str = r#"
    location = /health { default_type application/json; return 200 '{"status":"ok","checks":{"database":"ok"}}'; }
    location = /items { default_type application/json; return 200 '[{"id":1,"name":"a"},{"id":2,"name":"b"}]'; }
    location = /broken { default_type application/json; return 500 '{"detail":"internal error"}'; }
    location = /login { default_type application/json; return 200 '{"access_token":"tok-5f1e2d3c4b5a","token_type":"bearer"}'; }
    location = /protected {
        default_type application/json;
        if ($http_authorization != "Bearer tok-5f1e2d3c4b5a") { return 401 '{"detail":"unauthorized"}'; }
        return 200 '{"user":"admin"}';
    }
    location = /echo {
        default_type application/json;
        return 200 '{"header":"$http_x_secret","query":"$args","b64":"$http_x_b64","auth":"$http_authorization"}';
    }
    location /api/ {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $http_origin;
            add_header Access-Control-Allow-Methods "GET, POST, OPTIONS";
            add_header Access-Control-Allow-Headers "authorization, content-type";
            add_header Access-Control-Max-Age 600;
            return 204;
        }
        default_type application/json;
        return 200 '{"ok":true}';
    }
    location = /slow.json { root ROOT; limit_rate_after 0; limit_rate 4k; }
"#;

impl Nginx {
    /// Starts nginx, or returns `None` (after `skip_or_fail`) when it is not installed.
    pub fn start() -> Option<Self> {
        let Some(bin) = binary() else {
            super::skip_or_fail("nginx");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("html");
        std::fs::create_dir_all(&root).expect("root");
        // nginx lets the first second's worth (4 KiB) through at once, then the rest at 4 KiB/s:
        // ~6 KB takes about half a second, a real slow response.
        std::fs::write(
            root.join("slow.json"),
            format!("{{\"pad\":\"{}\"}}", "x".repeat(6000)),
        )
        .expect("slow.json");
        for attempt in 0..5 {
            let port = super::free_port();
            let conf = dir.path().join("nginx.conf");
            std::fs::write(&conf, config(dir.path(), &root, port)).expect("conf");
            let mut child = Command::new(&bin)
                .args([
                    "-p",
                    &dir.path().display().to_string(),
                    "-c",
                    &conf.display().to_string(),
                    "-g",
                    "daemon off; master_process off;",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn nginx");
            if wait_for_port(port, &mut child) {
                return Some(Self {
                    port,
                    url: format!("http://127.0.0.1:{port}"),
                    child,
                    _dir: dir,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("nginx did not start on port {port} (attempt {attempt}); retrying");
        }
        panic!("nginx failed to start");
    }
}

fn config(prefix: &Path, root: &Path, port: u16) -> String {
    format!(
        "worker_processes 1;\npid {pid};\nerror_log {err} warn;\nevents {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n  fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n  default_type application/octet-stream;\n  server {{\n    listen 127.0.0.1:{port};\n{server}\n  }}\n}}\n",
        pid = prefix.join("nginx.pid").display(),
        err = prefix.join("error.log").display(),
        tmp = prefix.display(),
        server = SERVER.replace("ROOT", &root.display().to_string()),
    )
}

fn wait_for_port(port: u16, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
