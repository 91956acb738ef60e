//! Test support: real servers on loopback, started and stopped by the tests.

#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::unwrap_used)]

pub mod nginx;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Output};

/// Runs the shipcheck binary with arguments and extra environment.
pub fn shipcheck(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shipcheck"));
    cmd.args(args).current_dir(cwd).env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run shipcheck")
}

/// A TCP listener that accepts connections and never answers (kept open until dropped).
pub struct SilentServer {
    pub addr: SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SilentServer {
    pub fn start() -> Self {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        l.set_nonblocking(true).expect("nonblocking");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            // Bounded: at most 60 s, then the thread ends on its own.
            for _ in 0..6000 {
                if flag.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                if let Ok((s, _)) = l.accept() {
                    held.push(s);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        });
        Self { addr, stop }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
