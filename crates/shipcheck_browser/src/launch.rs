//! Starting Chromium: found on a given path or on `PATH`, run headless in a process group of
//! its own with a fresh profile, and connected to over the DevTools WebSocket it announces in
//! the profile's `DevToolsActivePort` file.

use std::ffi::OsString;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chromiumoxide::handler::HandlerConfig;
use chromiumoxide::handler::viewport::Viewport;
use futures_util::StreamExt as _;
use rustix::process::{Pid, Signal, kill_process_group};

use crate::error::Error;

/// Names tried on `PATH`, in order.
const NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
    "google-chrome",
];

/// How much of Chromium's stderr is kept for an error message.
const STDERR_KEEP: usize = 4096;

/// How often the profile is polled for the DevTools port while Chromium starts.
const POLL: Duration = Duration::from_millis(25);

/// The flags every launch uses: headless, no sandbox (containers), and nothing that reaches
/// out on its own (updates, sync, field trials, QUIC), so only the page's requests leave.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--password-store=basic",
    "--remote-debugging-port=0",
];

/// How to start the browser.
#[derive(Debug, Clone)]
pub struct LaunchConfig {
    /// The Chromium binary (see [`find_chromium`]).
    pub program: PathBuf,
    /// The viewport, in CSS pixels (the screenshot's size).
    pub viewport: (u32, u32),
    /// How long Chromium may take to be ready.
    pub start_timeout: Duration,
}

/// The binary to run: `explicit` (a plan key), else `env` (`SHIPCHECK_CHROMIUM`), else the
/// first of `chromium`, `chromium-browser`, `google-chrome-stable`, `google-chrome` on `PATH`.
pub fn find_chromium(explicit: Option<&Path>, env: Option<OsString>) -> Result<PathBuf, Error> {
    if let Some(p) = explicit
        .map(Path::to_path_buf)
        .or_else(|| env.map(PathBuf::from))
    {
        return if p.is_file() {
            Ok(p)
        } else {
            Err(Error::NotFound {
                looked: format!("no file at {}", p.display()),
            })
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(Error::NotFound {
        looked: format!("none of {} on PATH", NAMES.join(", ")),
    })
}

/// The browser's process group: dropping it kills every process in it and reaps the leader.
#[derive(Debug)]
struct Group {
    child: Child,
    pgid: Option<Pid>,
}

impl Group {
    fn kill(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            let _ = kill_process_group(pgid, Signal::KILL);
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A running headless Chromium with a fresh profile; dropping it kills the browser's process
/// group, then removes the profile.
#[derive(Debug)]
pub struct Chromium {
    pub(crate) browser: chromiumoxide::Browser,
    handler: tokio::task::JoinHandle<()>,
    group: Group,
    // Declared after `group`: removed once the processes writing into it are gone.
    profile: tempfile::TempDir,
}

impl Chromium {
    /// Starts Chromium and connects to it.
    pub async fn launch(cfg: &LaunchConfig) -> Result<Self, Error> {
        let program = cfg.program.display().to_string();
        let start_err = |why: String| Error::Start {
            program: program.clone(),
            why,
        };
        let profile = tempfile::Builder::new()
            .prefix("shipcheck-chromium-")
            .tempdir()
            .map_err(|e| start_err(format!("cannot make a profile directory: {e}")))?;
        let mut cmd = Command::new(&cfg.program);
        cmd.args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!(
                "--window-size={},{}",
                cfg.viewport.0, cfg.viewport.1
            ))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = cmd.spawn().map_err(|e| start_err(e.to_string()))?;
        let pgid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(pipe) = child.stderr.take() {
            keep_tail(pipe, Arc::clone(&stderr));
        }
        let mut group = Group { child, pgid };
        let ws = devtools_url(&mut group, profile.path(), cfg.start_timeout, &stderr)
            .await
            .map_err(start_err)?;
        let config = HandlerConfig {
            ignore_https_errors: false,
            viewport: Some(Viewport {
                width: cfg.viewport.0,
                height: cfg.viewport.1,
                device_scale_factor: Some(1.0),
                emulating_mobile: false,
                is_landscape: true,
                has_touch: false,
            }),
            request_timeout: cfg.start_timeout,
            ..HandlerConfig::default()
        };
        let (browser, mut handler) = tokio::time::timeout(
            cfg.start_timeout,
            chromiumoxide::Browser::connect_with_config(ws, config),
        )
        .await
        .map_err(|_| Error::Timeout("connecting to Chromium's DevTools"))?
        .map_err(Error::protocol("connecting to Chromium's DevTools"))?;
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Ok(Chromium {
            browser,
            handler,
            group,
            profile,
        })
    }

    /// The process id of the browser, which leads its process group.
    pub fn pid(&self) -> u32 {
        self.group.child.id()
    }

    /// The fresh profile directory (removed when this is dropped).
    pub fn profile_dir(&self) -> &Path {
        self.profile.path()
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.handler.abort();
        self.group.kill();
    }
}

/// Drains Chromium's stderr (so it never blocks on a full pipe), keeping its last bytes.
fn keep_tail(mut pipe: impl std::io::Read + Send + 'static, keep: Arc<Mutex<Vec<u8>>>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Ok(mut k) = keep.lock() {
                        k.extend_from_slice(&buf[..n]);
                        if k.len() > STDERR_KEEP {
                            let cut = k.len() - STDERR_KEEP;
                            k.drain(..cut);
                        }
                    }
                }
            }
        }
    });
}

/// The browser's DevTools WebSocket URL, from `DevToolsActivePort` (port, then path) once
/// Chromium has written it; an early exit gives its last stderr lines.
async fn devtools_url(
    group: &mut Group,
    profile: &Path,
    timeout: Duration,
    stderr: &Mutex<Vec<u8>>,
) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    let file = profile.join("DevToolsActivePort");
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next())
                && port.parse::<u16>().is_ok()
                && path.starts_with('/')
            {
                return Ok(format!("ws://127.0.0.1:{port}{path}"));
            }
        }
        if let Ok(Some(status)) = group.child.try_wait() {
            // Let the stderr reader catch up with the last lines.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let tail = stderr
                .lock()
                .map(|k| String::from_utf8_lossy(&k).trim().to_owned())
                .unwrap_or_default();
            return Err(format!("it exited ({status}) before it was ready: {tail}"));
        }
        if Instant::now() >= deadline {
            return Err(format!("it was not ready within {timeout:?}"));
        }
        tokio::time::sleep(POLL).await;
    }
}
