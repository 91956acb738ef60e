//! One private nginx on loopback ports, configured by the test, killed by PID on drop.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian puts nginx.
const CANDIDATES: [&str; 2] = ["/usr/sbin/nginx", "/usr/bin/nginx"];
/// How many times a start is tried (a picked port can be taken before nginx binds it).
const ATTEMPTS: usize = 5;
/// How long one start may take to accept connections on every port.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How a server block listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listen {
    /// Plain HTTP.
    Http,
    /// TLS, with the identity given to [`NginxBuilder::tls_identity`].
    Https,
}

/// The configuration of a private nginx: server blocks (each gets its own free port) and
/// files in its prefix directory. [`NginxBuilder::start`] runs it.
pub struct NginxBuilder {
    dir: tempfile::TempDir,
    servers: Vec<(Listen, String)>,
    has_identity: bool,
}

impl Default for NginxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl NginxBuilder {
    /// An empty configuration with its own temporary prefix directory.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("nginx tempdir"),
            servers: Vec::new(),
            has_identity: false,
        }
    }

    /// The prefix directory (for document roots: write files here, name them in a block).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `relative` under [`NginxBuilder::dir`], creating parent folders.
    #[must_use]
    pub fn file(self, relative: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("nginx file folder");
        }
        std::fs::write(&path, contents).expect("nginx file");
        self
    }

    /// The certificate chain and key (PEM) every [`Listen::Https`] block serves.
    #[must_use]
    pub fn tls_identity(self, cert_pem: &str, key_pem: &str) -> Self {
        let s = self.file("cert.pem", cert_pem).file("key.pem", key_pem);
        Self {
            has_identity: true,
            ..s
        }
    }

    /// Adds a `server { listen …; <body> }` block; `body` holds its directives and locations.
    #[must_use]
    pub fn server(mut self, listen: Listen, body: impl Into<String>) -> Self {
        self.servers.push((listen, body.into()));
        self
    }

    /// Starts nginx in the foreground as one process (`daemon off; master_process off;`) and
    /// waits until every server block accepts connections. Returns `None` (after
    /// [`crate::skip_or_fail`]) when nginx is not installed; panics when it does not start.
    pub fn start(self) -> Option<Nginx> {
        let Some(bin) = CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file()) else {
            crate::skip_or_fail("nginx");
            return None;
        };
        assert!(!self.servers.is_empty(), "nginx needs a server block");
        let https = self.servers.iter().any(|(l, _)| *l == Listen::Https);
        assert!(
            !https || self.has_identity,
            "an https server block needs tls_identity"
        );
        let prefix = self.dir.path();
        let conf = prefix.join("nginx.conf");
        for attempt in 0..ATTEMPTS {
            let ports: Vec<u16> = self.servers.iter().map(|_| crate::free_port()).collect();
            std::fs::write(&conf, self.config(&ports)).expect("nginx.conf");
            let mut child = Command::new(&bin)
                .arg("-p")
                .arg(prefix)
                .arg("-c")
                .arg(&conf)
                .args(["-g", "daemon off; master_process off;"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn nginx");
            if wait_for_ports(&ports, &mut child) {
                let schemes = self.servers.iter().map(|(l, _)| *l).collect();
                return Some(Nginx {
                    ports,
                    schemes,
                    child,
                    _dir: self.dir,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("nginx did not start on ports {ports:?} (attempt {attempt}); retrying");
        }
        panic!(
            "nginx failed to start: {}",
            std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default()
        );
    }

    fn config(&self, ports: &[u16]) -> String {
        let d = self.dir.path().display();
        let mut conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n"
        );
        for ((listen, body), port) in self.servers.iter().zip(ports) {
            let listen = match listen {
                Listen::Http => format!("listen 127.0.0.1:{port};"),
                Listen::Https => format!(
                    "listen 127.0.0.1:{port} ssl; ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem;"
                ),
            };
            let _ = writeln!(conf, "  server {{\n    {listen}\n{body}\n  }}");
        }
        conf.push_str("}\n");
        conf
    }
}

/// Whether every port accepts connections before the deadline (false if nginx exits first).
fn wait_for_ports(ports: &[u16], child: &mut Child) -> bool {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if ports.iter().all(|port| crate::listening(*port)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A running private nginx; killed by its PID when dropped. It is a single process
/// (`master_process off`), so that leaves no orphaned worker behind.
pub struct Nginx {
    /// The port of each server block, in the order they were added.
    pub ports: Vec<u16>,
    schemes: Vec<Listen>,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// A configuration to start: `Nginx::builder().server(…).start()`.
    pub fn builder() -> NginxBuilder {
        NginxBuilder::new()
    }

    /// The base URL of the first server block (`http://` or `https://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        self.url_of(0)
    }

    /// The base URL of the `index`-th server block.
    pub fn url_of(&self, index: usize) -> String {
        let scheme = match self.schemes[index] {
            Listen::Http => "http",
            Listen::Https => "https",
        };
        format!("{scheme}://127.0.0.1:{}", self.ports[index])
    }

    /// The process id (to check that it is gone after drop).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
