//! Runs an `exec` check: the command with its output captured up to a bound, killed at
//! the check's timeout. Readers drain each stream to the end (keeping at most
//! `max_output` bytes), so a chatty command never blocks on a full pipe.

use std::io::{Read, Write as _};
use std::process::Stdio;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::ExecFacts;
use crate::process::GroupChild;
use super::spec::{Command, ExecProbe};

/// How often the child is polled for its exit.
const POLL: Duration = Duration::from_millis(5);

/// A stream read to its end: the first `cap` bytes and the total count.
struct Drained {
    kept: Vec<u8>,
    total: u64,
}

/// With `tail`, the last `cap` bytes are kept instead of the first.
fn drain(mut stream: impl Read + Send + 'static, cap: u64, tail: bool) -> Receiver<Drained> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut total = 0u64;
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) if tail => {
                    kept.extend_from_slice(&buf[..n]);
                    total += n as u64;
                    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
                    if kept.len() > cap.saturating_mul(2).max(64 * 1024) {
                        kept.drain(..kept.len() - cap);
                    }
                }
                Ok(n) => {
                    let room = usize::try_from(cap.saturating_sub(total)).unwrap_or(usize::MAX);
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    total += n as u64;
                }
            }
        }
        if tail {
            let cap = usize::try_from(cap).unwrap_or(usize::MAX);
            if kept.len() > cap {
                kept.drain(..kept.len() - cap);
            }
        }
        let _ = tx.send(Drained { kept, total });
    });
    rx
}

/// The drained stream, once its writers are gone; a background process still holding the
/// pipe at the deadline is a timeout.
async fn finished(rx: Option<Receiver<Drained>>, deadline: Instant, line: &str) -> Result<Drained, ProbeError> {
    let Some(rx) = rx else {
        return Ok(Drained {
            kept: Vec::new(),
            total: 0,
        });
    };
    loop {
        match rx.try_recv() {
            Ok(d) => return Ok(d),
            Err(TryRecvError::Disconnected) => {
                return Ok(Drained {
                    kept: Vec::new(),
                    total: 0,
                });
            }
            Err(TryRecvError::Empty) if Instant::now() >= deadline => {
                return Err(ProbeError::new(
                    FailureClass::Timeout,
                    format!("`{line}` exited but a process it started still holds its output open"),
                ));
            }
            Err(TryRecvError::Empty) => tokio::time::sleep(POLL).await,
        }
    }
}

fn protocol(msg: String) -> ProbeError {
    ProbeError::new(FailureClass::Protocol, msg)
}

/// The command line as shown in evidence and messages.
fn shown(argv: &[String]) -> String {
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

pub(crate) async fn observe(p: &ExecProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let argv: Vec<String> = match &p.command {
        Command::Argv(args) => args.iter().map(|a| cx.render(a)).collect::<Result<_, _>>()?,
        Command::Shell(line) => vec!["sh".into(), "-c".into(), cx.render(line)?],
    };
    let line = shown(&argv);
    let Some((program, args)) = argv.split_first() else {
        return Err(protocol("the command is empty".into()));
    };
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .current_dir(&p.dir)
        .stdin(if p.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &p.env {
        command.env(k, cx.render(v)?);
    }
    let stdin_text = p.stdin.as_deref().map(|s| cx.render(s)).transpose()?;
    let start = Instant::now();
    // Its own process group: a timeout (or a cancelled run, which drops this future)
    // kills the command and everything it started.
    let mut child = GroupChild::spawn(&mut command).map_err(|e| {
        ProbeError::new(
            FailureClass::Connect,
            format!("cannot start `{line}` in {}: {e}", p.dir.display()),
        )
    })?;
    if let (Some(text), Some(mut pipe)) = (stdin_text, child.child_mut().stdin.take()) {
        // Written from a thread: a command that does not read its input must not block us.
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let out = child.child_mut().stdout.take().map(|s| drain(s, p.max_output, p.keep_tail));
    let err = child.child_mut().stderr.take().map(|s| drain(s, p.max_output, false));
    let deadline = start + cx.timeout;
    let status = wait(&mut child, deadline, &line).await?;
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let out = finished(out, deadline, &line).await?;
    let err = finished(err, deadline, &line).await?;
    // Whatever the command left running in its group ends with the check.
    drop(child);
    let facts = ExecFacts {
        exit_code: status.code(),
        stdout: String::from_utf8_lossy(&out.kept).into_owned(),
        stderr: String::from_utf8_lossy(&err.kept).into_owned(),
        stdout_bytes: out.total,
        stderr_bytes: err.total,
        stdout_cut: out.total > p.max_output,
        duration_ms,
    };
    let evidence = evidence(&line, &facts, cx.evidence_cap);
    Ok(Observed {
        evidence,
        measurements: vec![Measurement::new("total", duration_ms, MeasureUnit::Ms)],
        facts: Box::new(facts),
        sent_secrets: Vec::new(),
        timings: None,
        findings: Vec::new(),
        series: Vec::new(),
        attachments: Vec::new(),
    })
}

/// Waits for the child until `deadline`, then kills its process group (a timeout is an error).
async fn wait(
    child: &mut GroupChild,
    deadline: Instant,
    line: &str,
) -> Result<std::process::ExitStatus, ProbeError> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                child.kill();
                return Err(ProbeError::new(
                    FailureClass::Timeout,
                    format!("`{line}` did not finish within the check's timeout and was killed"),
                ));
            }
            Ok(None) => tokio::time::sleep(POLL).await,
            Err(e) => {
                child.kill();
                return Err(protocol(format!("waiting for `{line}`: {e}")));
            }
        }
    }
}

fn evidence(line: &str, f: &ExecFacts, cap: usize) -> Vec<Evidence> {
    let excerpt = |name: &str, text: &str, total: u64| {
        let cut = text.len() > cap;
        let mut end = text.len().min(cap);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut s = format!("{name} ({total} bytes)\n{}", &text[..end]);
        if cut || total > text.len() as u64 {
            s.push_str("\n… (cut)");
        }
        s
    };
    let code = f
        .exit_code
        .map_or_else(|| "ended by a signal".to_owned(), |c| format!("exit code {c}"));
    vec![Evidence {
        label: "exec".into(),
        text: format!(
            "$ {line}\n{code} after {:.1} ms\n\n{}\n\n{}",
            f.duration_ms,
            excerpt("stdout", &f.stdout, f.stdout_bytes),
            excerpt("stderr", &f.stderr, f.stderr_bytes)
        ),
        truncated: f.stdout.len() > cap || f.stderr.len() > cap,
    }]
}
