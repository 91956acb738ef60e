//! A private Prometheus server (Debian package `prometheus`) on a free loopback port,
//! scraping the given targets every second, its TSDB in a temporary directory; killed by
//! PID on drop.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Debian package's binary.
const BIN: &str = "/usr/bin/prometheus";

/// A running Prometheus.
pub struct Prometheus {
    /// The loopback port of its HTTP API.
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts Prometheus scraping `jobs` (job name, `host:port` targets) every second,
    /// waiting until its API answers; `None` (after [`crate::skip_or_fail`]) without it.
    pub fn start(jobs: &[(&str, Vec<String>)]) -> Option<Prometheus> {
        if !std::path::Path::new(BIN).exists() {
            crate::skip_or_fail("prometheus (Debian package `prometheus`)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut conf = String::from(
            "global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }\nscrape_configs:\n",
        );
        for (job, targets) in jobs {
            let list: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
            conf.push_str(&format!(
                "  - job_name: {job}\n    static_configs:\n      - targets: [{}]\n",
                list.join(", ")
            ));
        }
        let path = dir.path().join("prometheus.yml");
        std::fs::write(&path, conf).unwrap();
        for _ in 0..5 {
            let port = crate::free_port();
            let mut child = Command::new(BIN)
                .arg(format!("--config.file={}", path.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until {
                if crate::listening(port) {
                    return Some(Prometheus {
                        port,
                        child,
                        _dir: dir,
                    });
                }
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("prometheus did not start");
    }

    /// The base URL of its API.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
