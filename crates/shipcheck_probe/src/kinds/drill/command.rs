//! The drill's command: started in a process group of its own, its output drained (the
//! last [`TAIL`] bytes of each stream kept), stopped with SIGTERM then SIGKILL at its
//! deadline — and when the drill is dropped (Ctrl-C or the run's global timeout), so a
//! `helm upgrade` never outlives shipcheck.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use shipcheck_plan::kind::Stop;

use crate::process::GroupChild;

/// Bytes kept of the end of each stream.
pub(crate) const TAIL: usize = 4096;
/// How long a command has to exit after SIGTERM before SIGKILL.
pub(crate) const GRACE: Duration = Duration::from_secs(2);
/// How often the child is polled.
const POLL: Duration = Duration::from_millis(5);

/// How a command ended.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ended {
    /// The command line as shown.
    pub(crate) line: String,
    /// Exit code; `None` when a signal ended it.
    pub(crate) exit_code: Option<i32>,
    /// Whether it was stopped at its deadline.
    pub(crate) timed_out: bool,
    /// Whether it was stopped because the run was interrupted.
    pub(crate) stopped: bool,
    /// Wall time (ms).
    pub(crate) duration_ms: f64,
    /// The end of stdout and stderr (lossily decoded).
    pub(crate) stdout_tail: String,
    pub(crate) stderr_tail: String,
}

/// A running command; dropping it stops the whole process group.
pub(crate) struct Running {
    child: GroupChild,
    line: String,
    start: Instant,
    out: Receiver<Vec<u8>>,
    err: Receiver<Vec<u8>>,
    done: bool,
}

/// Starts `argv` in `dir` with `env`, in a new process group.
pub(crate) fn start(
    argv: &[String],
    dir: &Path,
    env: &[(String, String)],
) -> Result<Running, String> {
    let line = shown(argv);
    let Some((program, args)) = argv.split_first() else {
        return Err("the command is empty".into());
    };
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = GroupChild::spawn(&mut command)
        .map_err(|e| format!("cannot start `{line}` in {}: {e}", dir.display()))?;
    let out = drain(child.child_mut().stdout.take());
    let err = drain(child.child_mut().stderr.take());
    Ok(Running {
        child,
        line,
        start,
        out,
        err,
        done: false,
    })
}

impl Running {
    /// Waits for the command until `deadline` (or until a stop is requested), then stops it.
    pub(crate) async fn finish(mut self, deadline: Instant, stop: &Stop) -> Ended {
        let mut timed_out = false;
        let mut stopped = false;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if stop.requested() => {
                    stopped = true;
                    break self.stop().await;
                }
                Ok(None) if Instant::now() >= deadline => {
                    timed_out = true;
                    break self.stop().await;
                }
                Ok(None) => tokio::time::sleep(POLL).await,
                Err(_) => break self.stop().await,
            }
        };
        self.done = true;
        let duration_ms = self.start.elapsed().as_secs_f64() * 1000.0;
        // A background process that keeps the pipes open is not waited for.
        let tail = |rx: &Receiver<Vec<u8>>| {
            let bytes = rx.recv_timeout(Duration::from_millis(200)).unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        Ended {
            line: self.line.clone(),
            exit_code: status.and_then(|s| s.code()),
            timed_out,
            stopped,
            duration_ms,
            stdout_tail: tail(&self.out),
            stderr_tail: tail(&self.err),
        }
    }

    /// SIGTERM to the group, SIGKILL after [`GRACE`]; the child is reaped.
    async fn stop(&mut self) -> Option<ExitStatus> {
        self.child.terminate();
        let until = Instant::now() + GRACE;
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        // Whatever the leader left running in its group goes too.
        self.child.kill()
    }
}

impl Drop for Running {
    /// Stops the group when the drill is abandoned (the runner drops it on Ctrl-C or at
    /// the global timeout): SIGTERM, up to [`GRACE`] to exit; `GroupChild`'s own drop then
    /// kills what is left.
    fn drop(&mut self) {
        if self.done || matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        self.child.terminate();
        let until = Instant::now() + GRACE;
        while Instant::now() < until {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
}

/// Reads a stream to its end, keeping its last [`TAIL`] bytes.
fn drain(stream: Option<impl Read + Send + 'static>) -> Receiver<Vec<u8>> {
    let (tx, rx) = channel();
    let Some(mut stream) = stream else {
        let _ = tx.send(Vec::new());
        return rx;
    };
    std::thread::spawn(move || {
        let mut tail: VecDeque<u8> = VecDeque::with_capacity(TAIL);
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    tail.extend(&buf[..n]);
                    let extra = tail.len().saturating_sub(TAIL);
                    tail.drain(..extra);
                }
            }
        }
        let _ = tx.send(tail.into_iter().collect());
    });
    rx
}

/// The command line as shown in evidence and messages.
pub(crate) fn shown(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(line: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), line.into()]
    }

    #[tokio::test]
    async fn the_exit_code_and_the_tail_of_the_output_are_kept() {
        let r = start(&sh("seq 1 5000; echo oops >&2; exit 3"), Path::new("."), &[]).unwrap();
        let e = r.finish(Instant::now() + Duration::from_secs(5), &Stop::default()).await;
        assert_eq!(e.exit_code, Some(3));
        assert!(e.stdout_tail.ends_with("4999\n5000\n"), "{}", e.stdout_tail);
        assert!(e.stdout_tail.len() <= TAIL);
        assert_eq!(e.stderr_tail, "oops\n");
        assert!(!e.timed_out);
    }

    #[tokio::test]
    async fn a_command_past_its_deadline_is_stopped_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("child.pid");
        let line = format!("sleep 30 & echo $! > {}; wait", pidfile.display());
        let t0 = Instant::now();
        let r = start(&sh(&line), Path::new("."), &[]).unwrap();
        let e = r.finish(Instant::now() + Duration::from_millis(300), &Stop::default()).await;
        assert!(e.timed_out);
        assert_eq!(e.exit_code, None, "ended by a signal");
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
        let child: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let alive = std::path::Path::new(&format!("/proc/{child}")).exists()
            && !std::fs::read_to_string(format!("/proc/{child}/stat"))
                .unwrap_or_default()
                .contains(") Z ");
        assert!(!alive, "the background sleep {child} outlived the drill");
    }

    #[tokio::test]
    async fn dropping_a_running_command_stops_it() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let r = start(&sh(&format!("echo $$ > {}; exec sleep 30", pidfile.display())), Path::new("."), &[]).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        let t0 = Instant::now();
        drop(r);
        assert!(t0.elapsed() < Duration::from_secs(3));
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "sleep {pid} still runs");
    }
}
