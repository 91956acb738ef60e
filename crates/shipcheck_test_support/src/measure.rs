//! Running a command and measuring what the user would see: wall time and the peak resident
//! set size of the process, read by GNU time (`/usr/bin/time -f %M`, from `wait4`'s rusage),
//! with a hard limit after which the whole process group is killed.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process_group};

/// GNU time, which reports the peak RSS of the command it runs.
pub const GNU_TIME: &str = "/usr/bin/time";

/// What one measured run did.
#[derive(Debug)]
pub struct Measured {
    /// Exit status, stdout and stderr of the command.
    pub output: Output,
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set size of the command, in KiB.
    pub peak_rss_kib: u64,
    /// Whether the hard limit killed it.
    pub killed: bool,
}

/// Whether GNU time is installed (the `time` package); callers skip with
/// [`crate::skip_or_fail`] when it is not.
pub fn available() -> bool {
    std::path::Path::new(GNU_TIME).exists()
}

/// Runs `program args…` under GNU time in its own process group; after `limit` the group is
/// killed (the run is then `killed`). `signal_after` sends `SIGINT` to the group (GNU time
/// ignores it while it waits) after that delay, as Ctrl-C would.
pub fn run(
    program: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
    signal_after: Option<Duration>,
) -> Measured {
    let rss_file = tempfile::NamedTempFile::new().expect("rss file");
    let rss_path: PathBuf = rss_file.path().to_owned();
    let mut cmd = Command::new(GNU_TIME);
    cmd.arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss_path)
        .arg(program)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn under GNU time");
    let group = Pid::from_raw(child.id() as i32).expect("pid");
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let (out, err) = (read(Box::new(out)), read(Box::new(err)));
    let mut killed = false;
    let mut signalled = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if let Some(after) = signal_after
            && !signalled
            && started.elapsed() >= after
        {
            let _ = kill_process_group(group, Signal::INT);
            signalled = true;
        }
        if started.elapsed() > limit && !killed {
            let _ = kill_process_group(group, Signal::KILL);
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let text = std::fs::read_to_string(&rss_path).unwrap_or_default();
    let peak_rss_kib = text
        .lines()
        .rev()
        .find_map(|l| l.trim().parse::<u64>().ok())
        .unwrap_or(0);
    Measured {
        output: Output {
            status,
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        },
        wall,
        peak_rss_kib,
        killed,
    }
}
