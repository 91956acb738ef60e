//! The plan's `setup:` and `teardown:` steps. Foreground commands run as an `exec` check
//! runs them (own process group, killed at the step's timeout, bounded output); background
//! commands are left running in their own process group, their output drained (the last
//! bytes kept as evidence) until the teardown stops them (`SIGTERM`, then `SIGKILL` for
//! the whole group); temporary directories are removed at the end. [`Started`] does the
//! same on drop, so an abandoned run leaves nothing behind either.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::Stdio;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use shipcheck_plan::kind::Probe as _;
use shipcheck_plan::{Plan, Step, StepAction, step_dir, template};
use shipcheck_probe::kinds::exec::{Command, ExecFacts, ExecProbe};
use shipcheck_probe::process::GroupChild;
use shipcheck_probe::{ChainState, ProbeContext};
use shipcheck_report::{
    AssertionResult, CheckError, CheckResult, Evidence, FailureClass, MeasureUnit, Measurement,
    SourcePos, Status,
};

/// Output kept per step (the end of it).
const STEP_OUTPUT: u64 = 64 * 1024;
/// How long a background command must stay up to count as started.
const BACKGROUND_GRACE: Duration = Duration::from_millis(300);
/// How long a background group gets between `SIGTERM` and `SIGKILL`.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// Depth bound when plan vars refer to other vars.
const MAX_VAR_DEPTH: usize = 8;

/// A background command left running.
struct Background {
    id: String,
    line: String,
    child: GroupChild,
    output: Receiver<Vec<u8>>,
    pos: SourcePos,
    started_ms: f64,
}

/// What setup started, to be stopped and removed by the teardown.
#[derive(Default)]
pub(crate) struct Started {
    background: Vec<Background>,
    tempdirs: Vec<(String, tempfile::TempDir)>,
}

impl Started {
    /// Whether nothing was started.
    pub(crate) fn is_empty(&self) -> bool {
        self.background.is_empty() && self.tempdirs.is_empty()
    }
}

/// The values of plan variables, `{{ }}` inside them rendered.
fn var(vars: &BTreeMap<String, Value>, name: &str, depth: usize) -> Option<Value> {
    let v = vars.get(name)?;
    if depth >= MAX_VAR_DEPTH {
        return Some(v.clone());
    }
    template::render_value(v, &|n: &str| var(vars, n, depth + 1)).ok()
}

fn base(step: &Step, kind: &str, run_start: Instant) -> CheckResult {
    let mut r = CheckResult::new(&step.id, kind);
    r.title = format!("{kind} {}", step.id);
    r.critical = kind == "setup";
    r.pos = Some(SourcePos {
        line: step.pos.line,
        column: step.pos.column,
    });
    r.started_ms = run_start.elapsed().as_secs_f64() * 1000.0;
    r
}

fn error(r: &mut CheckResult, class: FailureClass, message: String) {
    r.status = Status::Error;
    r.reason = Some(format!("{}: {message}", class.as_str()));
    r.error = Some(CheckError { class, message });
}

/// Runs the setup steps in order until one fails; each result goes to `done` as its step
/// ends. Returns why setup failed, if it did.
pub(crate) async fn setup(
    plan: &Plan,
    vars: &mut BTreeMap<String, Value>,
    started: &mut Started,
    run_start: Instant,
    plan_start: SystemTime,
    done: &mut dyn FnMut(CheckResult),
) -> Option<String> {
    for step in &plan.setup {
        let mut r = base(step, "setup", run_start);
        let t0 = Instant::now();
        match &step.action {
            StepAction::TempDir(name) => {
                match tempfile::Builder::new().prefix("shipcheck-").tempdir() {
                    Ok(dir) => {
                        let path = dir.path().display().to_string();
                        vars.insert(name.clone(), Value::from(path.clone()));
                        r.status = Status::Passed;
                        r.assertions.push(AssertionResult {
                            subject: format!("temporary directory {{{{ {name} }}}}"),
                            predicate: "exists".into(),
                            expected: "true".into(),
                            actual: path.clone(),
                            passed: true,
                        });
                        r.evidence.push(Evidence {
                            label: "setup".into(),
                            text: format!("created {path} as {{{{ {name} }}}}"),
                            truncated: false,
                        });
                        started.tempdirs.push((name.clone(), dir));
                    }
                    Err(e) => error(
                        &mut r,
                        FailureClass::Protocol,
                        format!("cannot create a temporary directory: {e}"),
                    ),
                }
            }
            _ if step.background => background(plan, step, vars, started, &mut r, run_start).await,
            _ => foreground(plan, step, vars, plan_start, &mut r).await,
        }
        r.duration_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let failed = r.status != Status::Passed;
        let reason = r.reason.clone().unwrap_or_default();
        done(r);
        if failed {
            return Some(format!("setup step `{}` failed: {reason}", step.id));
        }
    }
    None
}

/// The rendered program and arguments of a command step.
fn argv(step: &Step, vars: &BTreeMap<String, Value>) -> Result<Vec<String>, String> {
    let lookup = |n: &str| var(vars, n, 0);
    let render = |s: &str| {
        template::render_str(s, &lookup).map_err(|e| format!("rendering step `{}`: {e}", step.id))
    };
    match &step.action {
        StepAction::Argv(args) => args.iter().map(|a| render(a)).collect(),
        StepAction::Shell(line) => Ok(vec!["sh".into(), "-c".into(), render(line)?]),
        StepAction::TempDir(_) => Ok(Vec::new()),
    }
}

fn dir_of(
    plan: &Plan,
    step: &Step,
    vars: &BTreeMap<String, Value>,
) -> Result<std::path::PathBuf, String> {
    let lookup = |n: &str| var(vars, n, 0);
    let rendered = match &step.dir {
        Some(d) => Some(
            template::render_str(d, &lookup)
                .map_err(|e| format!("rendering the dir of step `{}`: {e}", step.id))?,
        ),
        None => None,
    };
    Ok(step_dir(&plan.base_dir, rendered.as_deref()))
}

/// A command run to its end, as an `exec` check: exit code 0 expected.
async fn foreground(
    plan: &Plan,
    step: &Step,
    vars: &BTreeMap<String, Value>,
    plan_start: SystemTime,
    r: &mut CheckResult,
) {
    let dir = match dir_of(plan, step, vars) {
        Ok(d) => d,
        Err(e) => return error(r, FailureClass::Protocol, e),
    };
    // The exec kind renders the templates with the lookup below.
    let command = match &step.action {
        StepAction::Argv(args) => Command::Argv(args.clone()),
        StepAction::Shell(line) => Command::Shell(line.clone()),
        StepAction::TempDir(_) => return,
    };
    let probe = ExecProbe {
        command,
        dir,
        env: step.env.clone(),
        stdin: None,
        max_output: STEP_OUTPUT,
        keep_tail: true,
    };
    let lookup = |n: &str| var(vars, n, 0);
    let chain = ChainState::default();
    let cx = ProbeContext {
        timeout: step.timeout,
        plan_start,
        lookup: &lookup,
        evidence_cap: STEP_OUTPUT as usize,
        sensitive: &[],
        chain: &chain,
        stop: &shipcheck_plan::kind::Stop::default(),
    };
    match probe.observe(&cx).await {
        Err(e) => {
            r.evidence = e.evidence.clone();
            error(r, e.class, e.message);
        }
        Ok(o) => {
            let code = o
                .facts
                .as_any()
                .downcast_ref::<ExecFacts>()
                .and_then(|f| f.exit_code);
            let passed = code == Some(0);
            r.assertions.push(AssertionResult {
                subject: "exit code".into(),
                predicate: "equals".into(),
                expected: "0".into(),
                actual: code.map_or_else(|| "ended by a signal".into(), |c| c.to_string()),
                passed,
            });
            r.evidence = o.evidence;
            r.measurements = o.measurements;
            r.status = if passed {
                Status::Passed
            } else {
                Status::Failed
            };
            if !passed {
                let msg = format!("exit code: expected 0, got {}", r.assertions[0].actual);
                r.reason = Some(msg.clone());
                r.error = Some(CheckError {
                    class: FailureClass::Assertion,
                    message: msg,
                });
            }
        }
    }
}

/// Keeps the last `cap` bytes of a stream until it closes.
fn drain_tail(mut stream: impl Read + Send + 'static, cap: usize) -> Receiver<Vec<u8>> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            kept.extend_from_slice(&buf[..n]);
            if kept.len() > cap * 2 {
                kept.drain(..kept.len() - cap);
            }
        }
        if kept.len() > cap {
            kept.drain(..kept.len() - cap);
        }
        let _ = tx.send(kept);
    });
    rx
}

/// A command left running (stdout and stderr together); it must still be up after a
/// short grace.
async fn background(
    plan: &Plan,
    step: &Step,
    vars: &BTreeMap<String, Value>,
    started: &mut Started,
    r: &mut CheckResult,
    run_start: Instant,
) {
    let (argv, dir) = match (argv(step, vars), dir_of(plan, step, vars)) {
        (Ok(a), Ok(d)) => (a, d),
        (Err(e), _) | (_, Err(e)) => return error(r, FailureClass::Protocol, e),
    };
    let lookup = |n: &str| var(vars, n, 0);
    let Some((program, args)) = argv.split_first() else {
        return error(r, FailureClass::Protocol, "the command is empty".into());
    };
    let line = argv.join(" ");
    let mut cmd = std::process::Command::new(program);
    cmd.args(args).current_dir(&dir).stdin(Stdio::null());
    for (k, v) in &step.env {
        match template::render_str(v, &lookup) {
            Ok(v) => {
                cmd.env(k, v);
            }
            Err(e) => return error(r, FailureClass::Protocol, format!("rendering env {k}: {e}")),
        }
    }
    let (reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => {
            return error(
                r,
                FailureClass::Protocol,
                format!("cannot make a pipe: {e}"),
            );
        }
    };
    let writer2 = match writer.try_clone() {
        Ok(w) => w,
        Err(e) => {
            return error(
                r,
                FailureClass::Protocol,
                format!("cannot make a pipe: {e}"),
            );
        }
    };
    cmd.stdout(writer).stderr(writer2);
    let mut child = match GroupChild::spawn(&mut cmd) {
        Ok(c) => c,
        Err(e) => {
            return error(
                r,
                FailureClass::Connect,
                format!("cannot start `{line}` in {}: {e}", dir.display()),
            );
        }
    };
    drop(cmd); // our copies of the pipe's write end
    let output = drain_tail(reader, STEP_OUTPUT as usize);
    tokio::time::sleep(BACKGROUND_GRACE).await;
    let pos = r.pos.unwrap_or(SourcePos { line: 0, column: 0 });
    match child.try_wait() {
        Ok(Some(status)) => {
            let text = output
                .recv_timeout(Duration::from_secs(1))
                .unwrap_or_default();
            r.evidence.push(Evidence {
                label: "setup".into(),
                text: format!(
                    "$ {line} &\n{status} within {} ms\n\n{}",
                    BACKGROUND_GRACE.as_millis(),
                    String::from_utf8_lossy(&text)
                ),
                truncated: false,
            });
            error(
                r,
                FailureClass::Connect,
                format!("`{line}` exited right after it started ({status})"),
            );
        }
        _ => {
            r.status = Status::Passed;
            r.assertions.push(AssertionResult {
                subject: "background process".into(),
                predicate: "running".into(),
                expected: format!("after {} ms", BACKGROUND_GRACE.as_millis()),
                actual: format!("running (process group {})", child.id()),
                passed: true,
            });
            r.evidence.push(Evidence { label: "setup".into(), text: format!("$ {line} &\nstarted as process group {}; its output is in the teardown's evidence", child.id()), truncated: false });
            started.background.push(Background {
                id: step.id.clone(),
                line,
                child,
                output,
                pos,
                started_ms: run_start.elapsed().as_secs_f64() * 1000.0,
            });
        }
    }
}

/// Runs the teardown steps (each to its end, failures recorded, the rest still run),
/// stops every background command (its output is the evidence), removes the temporary
/// directories.
pub(crate) async fn teardown(
    plan: &Plan,
    vars: &BTreeMap<String, Value>,
    mut started: Started,
    run_start: Instant,
    plan_start: SystemTime,
) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for step in &plan.teardown {
        let mut r = base(step, "teardown", run_start);
        let t0 = Instant::now();
        foreground(plan, step, vars, plan_start, &mut r).await;
        r.duration_ms = t0.elapsed().as_secs_f64() * 1000.0;
        out.push(r);
    }
    for bg in started.background.drain(..) {
        out.push(stop(bg, run_start).await);
    }
    for (name, dir) in started.tempdirs.drain(..) {
        let path = dir.path().display().to_string();
        let mut r = CheckResult::new(&format!("remove-{name}"), "teardown");
        r.title = format!("teardown remove {{{{ {name} }}}}");
        r.critical = false;
        r.started_ms = run_start.elapsed().as_secs_f64() * 1000.0;
        match dir.close() {
            Ok(()) => {
                r.status = Status::Passed;
                r.assertions.push(AssertionResult {
                    subject: format!("temporary directory {path}"),
                    predicate: "removed".into(),
                    expected: "true".into(),
                    actual: "removed".into(),
                    passed: true,
                });
            }
            Err(e) => error(
                &mut r,
                FailureClass::Protocol,
                format!("cannot remove {path}: {e}"),
            ),
        }
        out.push(r);
    }
    out
}

/// `SIGTERM` to the group, then `SIGKILL` after a grace; the output drained so far.
async fn stop(mut bg: Background, run_start: Instant) -> CheckResult {
    let mut r = CheckResult::new(&format!("stop-{}", bg.id), "teardown");
    r.title = format!("teardown stop {}", bg.id);
    r.critical = false;
    r.pos = Some(bg.pos);
    r.started_ms = run_start.elapsed().as_secs_f64() * 1000.0;
    let t0 = Instant::now();
    let exited_before = matches!(bg.child.try_wait(), Ok(Some(_)));
    bg.child.terminate();
    let deadline = Instant::now() + STOP_GRACE;
    let mut how = "stopped by SIGTERM";
    while !matches!(bg.child.try_wait(), Ok(Some(_))) {
        if Instant::now() >= deadline {
            how = "killed by SIGKILL after SIGTERM was ignored";
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if exited_before {
        how = "had already exited";
    }
    bg.child.kill(); // the whole group, whatever is left of it
    let text = bg
        .output
        .recv_timeout(Duration::from_secs(2))
        .unwrap_or_default();
    r.duration_ms = t0.elapsed().as_secs_f64() * 1000.0;
    r.measurements.push(Measurement::new(
        "ran",
        (r.started_ms - bg.started_ms).max(0.0),
        MeasureUnit::Ms,
    ));
    r.status = Status::Passed;
    r.assertions.push(AssertionResult {
        subject: "process group".into(),
        predicate: "stopped".into(),
        expected: "true".into(),
        actual: how.into(),
        passed: true,
    });
    r.evidence.push(Evidence {
        label: "output".into(),
        text: format!(
            "$ {} &\n{how}\n\n{}",
            bg.line,
            String::from_utf8_lossy(&text)
        ),
        truncated: text.len() >= STEP_OUTPUT as usize,
    });
    r
}
