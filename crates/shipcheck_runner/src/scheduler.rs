//! The dispatcher: dependency graph, bounded concurrency, cancellation, global timeout.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_plan::{Check, Plan};
use shipcheck_probe::ChainState;
use shipcheck_report::{CheckResult, Finding, Redactor, Status};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use crate::check::{CheckEnv, CheckOutput, humanize, run_check};
use crate::events::{RunEvent, RunEventKind};

/// A finished check task: its index in the plan and what it produced.
type Finished = (usize, CheckOutput);

/// Checks in flight at once when neither the command line nor the plan says.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// At most this many checks run at once (≥ 1); `None`: the plan's
    /// `defaults.concurrency`, else [`DEFAULT_CONCURRENCY`].
    pub concurrency: Option<usize>,
    /// Bound on the whole run.
    pub timeout: Duration,
    /// Run only these checks (others are skipped); empty means all.
    pub only: Vec<String>,
    /// Skip these checks.
    pub skip: Vec<String>,
    /// Keep at most this many bytes of each body as evidence.
    pub evidence_cap: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            concurrency: None,
            timeout: Duration::from_secs(600),
            only: Vec::new(),
            skip: Vec::new(),
            evidence_cap: 8 * 1024,
        }
    }
}

/// A handle to stop a run from outside (e.g. on Ctrl-C).
#[derive(Debug, Clone)]
pub struct Cancel(Arc<watch::Sender<Option<String>>>);

impl Default for Cancel {
    fn default() -> Self {
        Self(Arc::new(watch::channel(None).0))
    }
}

impl Cancel {
    /// Stops the run; running checks are abandoned and reported `not-run`.
    pub fn cancel(&self, reason: &str) {
        self.0.send_replace(Some(reason.to_owned()));
    }
}

/// The results of a run.
#[derive(Debug)]
pub struct RunOutcome {
    /// One result per planned check, in plan order, redacted.
    pub checks: Vec<CheckResult>,
    /// Why the run was interrupted, if it was.
    pub interrupted: Option<String>,
    /// Every secret seen during the run (declared, sent as credentials, captured as secret).
    pub redactor: Redactor,
    /// Wall time of the run.
    pub duration: Duration,
    /// Findings of `lint` checks, each tagged with its check's id.
    pub findings: Vec<Finding>,
}

/// Runs the plan and calls `on_event` for every event (already redacted).
pub async fn execute(
    plan: &Plan,
    opts: &RunOptions,
    cancel: &Cancel,
    mut on_event: impl FnMut(RunEvent),
) -> RunOutcome {
    let run_start = Instant::now();
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let mut redactor = Redactor::new();
    for s in &plan.secret_values {
        redactor.add_secret(s);
    }
    let redactor = Arc::new(Mutex::new(redactor));
    let redact = |r: &CheckResult| {
        redactor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .redact(r)
    };
    let vars = Arc::new(plan.vars.clone());
    let checks: Vec<Arc<Check>> = plan.checks.iter().cloned().map(Arc::new).collect();
    let index: HashMap<&str, usize> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    let mut started = vec![false; checks.len()];
    let mut captures: BTreeMap<String, Value> = BTreeMap::new();
    let mut sensitive: Arc<Vec<String>> = Arc::new(plan.secret_values.clone());
    let mut chains: Vec<Option<ChainState>> = vec![None; checks.len()];
    let (tx, mut rx) = mpsc::unbounded_channel::<RunEvent>();
    let mut tasks: JoinSet<Finished> = JoinSet::new();
    let mut task_index: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut cancel_rx = cancel.0.subscribe();
    let concurrency = opts
        .concurrency
        .or(plan.concurrency)
        .unwrap_or(DEFAULT_CONCURRENCY)
        .max(1);
    // The `exclusive: true` check in flight, if any: nothing else starts meanwhile.
    let mut exclusive_running: Option<usize> = None;
    let emit_at = |kind| RunEvent {
        elapsed: run_start.elapsed(),
        kind,
    };

    on_event(emit_at(RunEventKind::PlanStarted {
        total: checks.len(),
    }));
    let mut interrupted: Option<String> = cancel.0.borrow().clone();

    while interrupted.is_none() {
        // Settle every check whose fate is known, and start what may start.
        loop {
            let mut progressed = false;
            // An exclusive check waiting for the others to finish holds back the checks
            // after it, so it is not starved.
            let mut held = exclusive_running.is_some();
            for (i, c) in checks.iter().enumerate() {
                if started[i] {
                    continue;
                }
                if let Some(reason) = deselected(c, opts) {
                    let mut r = blank(c);
                    r.status = Status::Skipped;
                    r.reason = Some(reason);
                    started[i] = true;
                    finish(&mut results, i, redact(&r), &mut on_event, &emit_at);
                    progressed = true;
                    continue;
                }
                let mut blocked = None;
                let mut waiting = false;
                for need in &c.needs {
                    match index.get(need.as_str()).and_then(|&j| results[j].as_ref()) {
                        None => waiting = true,
                        Some(r) if r.status != Status::Passed => {
                            blocked = Some(format!("not run because `{need}` {}", verb(r.status)));
                            break;
                        }
                        Some(_) => {}
                    }
                }
                if let Some(reason) = blocked {
                    let mut r = blank(c);
                    r.reason = Some(reason);
                    started[i] = true;
                    finish(&mut results, i, r, &mut on_event, &emit_at);
                    progressed = true;
                } else if !waiting && c.exclusive && (held || !tasks.is_empty()) {
                    held = true;
                } else if !waiting && !held && tasks.len() < concurrency {
                    started[i] = true;
                    if c.exclusive {
                        exclusive_running = Some(i);
                        held = true;
                    }
                    let chain = c
                        .needs
                        .first()
                        .and_then(|need| index.get(need.as_str()))
                        .and_then(|&j| chains[j].clone())
                        .unwrap_or_default();
                    chains[i] = Some(chain.clone());
                    let env = CheckEnv {
                        vars: Arc::clone(&vars),
                        captures: captures.clone(),
                        redactor: Arc::clone(&redactor),
                        events: tx.clone(),
                        run_start,
                        evidence_cap: opts.evidence_cap,
                        sensitive: Arc::clone(&sensitive),
                        chain,
                    };
                    let check = Arc::clone(c);
                    let handle = tasks.spawn(async move { (i, run_check(&check, &env).await) });
                    task_index.insert(handle.id(), i);
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            joined = tasks.join_next_with_id() => {
                while let Ok(ev) = rx.try_recv() {
                    on_event(redact_event(ev, &redact));
                }
                match joined {
                    Some(Ok((_, (i, out)))) => {
                        if exclusive_running == Some(i) {
                            exclusive_running = None;
                        }
                        let secret = secret_values(&checks[i], &out.captures);
                        if !secret.is_empty() {
                            Arc::make_mut(&mut sensitive).extend(secret);
                        }
                        captures.extend(out.captures);
                        findings.extend(out.findings);
                        finish(&mut results, i, redact(&out.result), &mut on_event, &emit_at);
                    }
                    Some(Err(e)) => {
                        if let Some(&i) = task_index.get(&e.id()) {
                            if exclusive_running == Some(i) {
                                exclusive_running = None;
                            }
                            let mut r = blank(&checks[i]);
                            r.status = Status::Error;
                            r.reason = Some(format!("internal error: the check task failed: {e}"));
                            finish(&mut results, i, r, &mut on_event, &emit_at);
                        }
                    }
                    None => {}
                }
            }
            Some(ev) = rx.recv() => on_event(redact_event(ev, &redact)),
            _ = cancel_rx.changed() => {
                interrupted = Some(cancel_rx.borrow().clone().unwrap_or_else(|| "cancelled".into()));
            }
            () = tokio::time::sleep_until(deadline) => {
                interrupted = Some(format!("the global timeout of {} was reached", humanize(opts.timeout)));
            }
        }
    }

    if let Some(reason) = &interrupted {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        while let Ok(ev) = rx.try_recv() {
            on_event(redact_event(ev, &redact));
        }
        on_event(emit_at(RunEventKind::PlanCancelled {
            reason: reason.clone(),
        }));
        for (i, c) in checks.iter().enumerate() {
            if results[i].is_none() {
                let mut r = blank(c);
                r.reason = Some(if started[i] {
                    format!("interrupted while running: {reason}")
                } else {
                    format!("not run: {reason}")
                });
                finish(&mut results, i, r, &mut on_event, &emit_at);
            }
        }
    }
    on_event(emit_at(RunEventKind::PlanFinished));
    let checks: Vec<CheckResult> = results
        .into_iter()
        .zip(&checks)
        .map(|(r, c)| r.unwrap_or_else(|| blank(c)))
        .collect();
    let redactor = redactor
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let checks = checks.iter().map(|c| redactor.redact(c)).collect();
    let findings = findings.iter().map(|f| redactor.redact(f)).collect();
    RunOutcome {
        checks,
        interrupted,
        redactor,
        duration: run_start.elapsed(),
        findings,
    }
}

/// The text of the `secret: true` captures among `captured`.
fn secret_values(check: &Check, captured: &[(String, Value)]) -> Vec<String> {
    captured
        .iter()
        .filter(|(name, _)| check.capture.iter().any(|c| &c.name == name && c.secret))
        .map(|(_, v)| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn redact_event(ev: RunEvent, redact: &impl Fn(&CheckResult) -> CheckResult) -> RunEvent {
    match ev.kind {
        RunEventKind::CheckFinished(r) => RunEvent {
            elapsed: ev.elapsed,
            kind: RunEventKind::CheckFinished(Box::new(redact(&r))),
        },
        _ => ev,
    }
}

fn finish(
    results: &mut [Option<CheckResult>],
    i: usize,
    r: CheckResult,
    on_event: &mut impl FnMut(RunEvent),
    emit_at: &impl Fn(RunEventKind) -> RunEvent,
) {
    on_event(emit_at(RunEventKind::CheckFinished(Box::new(r.clone()))));
    results[i] = Some(r);
}

fn blank(c: &Check) -> CheckResult {
    let mut r = CheckResult::new(&c.id, c.probe.kind());
    r.title = c.title.clone();
    r.critical = c.critical;
    r
}

fn verb(s: Status) -> &'static str {
    match s {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Error => "could not run",
        Status::Skipped => "was skipped",
        Status::NotRun => "did not run",
    }
}

/// Why a check is skipped before it runs: `skip:` in the plan, `--only`, `--skip`.
fn deselected(c: &Check, opts: &RunOptions) -> Option<String> {
    if let Some(reason) = &c.skip {
        return Some(reason.clone());
    }
    if !opts.only.is_empty() && !opts.only.contains(&c.id) {
        return Some("not selected by --only".into());
    }
    if opts.skip.contains(&c.id) {
        return Some("deselected by --skip".into());
    }
    None
}
