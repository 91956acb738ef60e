//! The dispatcher: dependency graph, bounded concurrency, cancellation, global timeout.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_plan::{Check, Plan};
use shipcheck_probe::{ChainState, Stop};
use shipcheck_report::{CheckResult, Finding, Redactor, Status, strip_controls};
use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinSet};

use crate::check::{CheckEnv, CheckOutput, humanize, run_check};
use crate::events::{RunEvent, RunEventKind};
use crate::lifecycle;
use crate::ready::ReadyQueue;
use crate::withhold::{captures_secret, without_server_data};

/// A finished check task: its index in the plan and what it produced.
type Finished = (usize, CheckOutput);

/// Checks in flight at once when neither the command line nor the plan says.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// How long probes that wind down get to return after an interrupt (a drill stops its
/// command: SIGTERM, then SIGKILL two seconds later).
const WIND_DOWN: Duration = Duration::from_secs(4);

/// How to run a plan.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// At most this many checks run at once (≥ 1); `None`: the plan's
    /// `defaults.concurrency`, else [`DEFAULT_CONCURRENCY`].
    pub concurrency: Option<usize>,
    /// Bound on the whole run, counted from [`RunOptions::started`].
    pub timeout: Duration,
    /// When the run's clock started (a command-line run: the process start, so that the
    /// timeout covers start-up); `None`: when [`execute`] is called.
    pub started: Option<Instant>,
    /// Time kept at the end of `timeout` for teardown and writing the report: at the
    /// global timeout, checks are stopped this long before it.
    pub wind_up: Duration,
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
            started: None,
            wind_up: Duration::ZERO,
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
    /// One result per setup step, then per planned check (in plan order), then per
    /// teardown step, background command stopped and temporary directory removed; redacted.
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
    let plan_start = std::time::SystemTime::now();
    let deadline = tokio::time::Instant::from_std(opts.started.unwrap_or_else(Instant::now))
        + opts.timeout.saturating_sub(opts.wind_up);
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
    // What leaves the runner in an event is redacted with every secret known when it
    // leaves and loses terminal control sequences (server text reaches a TTY).
    let display = |ev: RunEvent| {
        let r = redactor.lock().unwrap_or_else(PoisonError::into_inner);
        for_display(ev, &r)
    };
    let mut vars_map = plan.vars.clone();
    let checks: Vec<Arc<Check>> = plan.checks.iter().cloned().map(Arc::new).collect();
    let mut results: Vec<Option<CheckResult>> = vec![None; checks.len()];
    let mut started = vec![false; checks.len()];
    let mut captures: Arc<BTreeMap<String, Value>> = Arc::new(BTreeMap::new());
    let mut sensitive: Arc<Vec<String>> = Arc::new(plan.secret_values.clone());
    let mut chains: Vec<Option<ChainState>> = vec![None; checks.len()];
    let index: HashMap<&str, usize> = checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let (tx, mut rx) = mpsc::unbounded_channel::<RunEvent>();
    let mut tasks: JoinSet<Finished> = JoinSet::new();
    let mut task_index: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut aborts: HashMap<usize, AbortHandle> = HashMap::new();
    let stop = Stop::default();
    let mut findings: Vec<Finding> = Vec::new();
    let mut cancel_rx = cancel.0.subscribe();
    let concurrency = opts
        .concurrency
        .or(plan.concurrency)
        .unwrap_or(DEFAULT_CONCURRENCY)
        .max(1);
    // The `exclusive: true` check in flight, and one that waits for the others to finish
    // (nothing starts meanwhile, so it is not starved).
    let mut exclusive_running: Option<usize> = None;
    let mut held_back: Option<usize> = None;
    let emit_at = |kind| RunEvent {
        elapsed: run_start.elapsed(),
        kind,
    };

    on_event(display(emit_at(RunEventKind::PlanStarted {
        total: checks.len() + plan.setup.len() + plan.teardown.len(),
    })));
    let mut interrupted: Option<String> = cancel.0.borrow().clone();

    // Deselected checks are settled first; what they block is settled with them.
    let mut queue = ReadyQueue::new(&checks);
    let mut settle: VecDeque<(usize, CheckResult)> = VecDeque::new();
    for (i, c) in checks.iter().enumerate() {
        if interrupted.is_some() {
            break;
        }
        if let Some(reason) = deselected(c, opts) {
            let mut r = blank(c);
            r.status = Status::Skipped;
            r.reason = Some(reason);
            settle.push_back((i, redact(&r)));
        }
    }
    let mut send = |ev: RunEvent| on_event(display(ev));
    // Checks with a `secret: true` capture that have not finished (see `withhold`).
    let mut secret_pending = checks.iter().filter(|c| captures_secret(c)).count();
    let settle_all = |settle: &mut VecDeque<(usize, CheckResult)>,
                      queue: &mut ReadyQueue,
                      results: &mut [Option<CheckResult>],
                      started: &mut [bool],
                      secret_pending: &mut usize,
                      send: &mut dyn FnMut(RunEvent)| {
        while let Some((i, r)) = settle.pop_front() {
            if results[i].is_some() {
                continue;
            }
            started[i] = true;
            if captures_secret(&checks[i]) {
                *secret_pending -= 1;
            }
            for (k, reason) in queue.finished(i, &checks[i].id, r.status) {
                if !started[k] {
                    let mut b = blank(&checks[k]);
                    b.reason = Some(reason);
                    settle.push_back((k, b));
                }
            }
            finish(results, i, r, send, &emit_at, *secret_pending > 0);
        }
    };
    settle_all(
        &mut settle,
        &mut queue,
        &mut results,
        &mut started,
        &mut secret_pending,
        &mut send,
    );

    // Setup: the system under test is started before any check; if a step fails, every
    // check that has not been settled yet is `not-run`, naming the step.
    let mut started_steps = lifecycle::Started::default();
    let mut setup_results: Vec<CheckResult> = Vec::new();
    if !plan.setup.is_empty() && interrupted.is_none() {
        let mut done = |r: CheckResult| {
            let r = redact(&r);
            send(emit_at(RunEventKind::CheckFinished(Box::new(r.clone()))));
            setup_results.push(r);
        };
        let failed = tokio::select! {
            failed = lifecycle::setup(plan, &mut vars_map, &mut started_steps, run_start, plan_start, &mut done) => failed,
            _ = cancel_rx.changed() => {
                interrupted = Some(cancel_rx.borrow().clone().unwrap_or_else(|| "cancelled".into()));
                None
            }
            () = tokio::time::sleep_until(deadline) => {
                interrupted = Some(format!("the global timeout of {} was reached", humanize(opts.timeout)));
                None
            }
        };
        if let Some(reason) = failed {
            for (i, c) in checks.iter().enumerate() {
                if results[i].is_none() {
                    let mut r = blank(c);
                    r.reason = Some(reason.clone());
                    settle.push_back((i, r));
                }
            }
            settle_all(
                &mut settle,
                &mut queue,
                &mut results,
                &mut started,
                &mut secret_pending,
                &mut send,
            );
        }
    }
    let vars = Arc::new(vars_map.clone());

    while interrupted.is_none() {
        // Start what may start, up to the concurrency bound; an exclusive check runs alone.
        while exclusive_running.is_none() && tasks.len() < concurrency {
            let Some(i) = held_back.take().or_else(|| queue.pop()) else {
                break;
            };
            if started[i] {
                continue;
            }
            if checks[i].exclusive && !tasks.is_empty() {
                held_back = Some(i);
                break;
            }
            started[i] = true;
            if checks[i].exclusive {
                exclusive_running = Some(i);
            }
            // A check shares the per-chain state (a cookie jar) of its first need.
            let chain = checks[i]
                .needs
                .first()
                .and_then(|need| index.get(need.as_str()))
                .and_then(|&j| chains[j].clone())
                .unwrap_or_default();
            chains[i] = Some(chain.clone());
            let env = CheckEnv {
                vars: Arc::clone(&vars),
                captures: Arc::clone(&captures),
                redactor: Arc::clone(&redactor),
                events: tx.clone(),
                run_start,
                plan_start,
                evidence_cap: opts.evidence_cap,
                sensitive: Arc::clone(&sensitive),
                chain,
                stop: stop.clone(),
            };
            let check = Arc::clone(&checks[i]);
            let handle = tasks.spawn(async move { (i, run_check(&check, &env).await) });
            task_index.insert(handle.id(), i);
            aborts.insert(i, handle);
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            joined = tasks.join_next_with_id() => {
                while let Ok(ev) = rx.try_recv() {
                    send(ev);
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
                        if !out.captures.is_empty() {
                            // Tasks already running keep the snapshot they started with.
                            Arc::make_mut(&mut captures).extend(out.captures);
                        }
                        findings.extend(out.findings);
                        settle.push_back((i, redact(&out.result)));
                    }
                    Some(Err(e)) => {
                        if let Some(&i) = task_index.get(&e.id()) {
                            if exclusive_running == Some(i) {
                                exclusive_running = None;
                            }
                            let mut r = blank(&checks[i]);
                            r.status = Status::Error;
                            r.reason = Some(format!("internal error: the check task failed: {e}"));
                            settle.push_back((i, r));
                        }
                    }
                    None => {}
                }
                settle_all(
                    &mut settle,
                    &mut queue,
                    &mut results,
                    &mut started,
                    &mut secret_pending,
                    &mut send,
                );
            }
            Some(ev) = rx.recv() => send(ev),
            _ = cancel_rx.changed() => {
                interrupted = Some(cancel_rx.borrow().clone().unwrap_or_else(|| "cancelled".into()));
            }
            () = tokio::time::sleep_until(deadline) => {
                interrupted = Some(format!("the global timeout of {} was reached", humanize(opts.timeout)));
            }
        }
    }

    if let Some(reason) = &interrupted {
        // Probes that wind down (a drill) get a moment to stop their command and return
        // what they measured; the others are dropped now.
        stop.request();
        let winding: Vec<usize> = (0..checks.len())
            .filter(|&i| started[i] && results[i].is_none() && checks[i].probe.winds_down())
            .collect();
        if !winding.is_empty() {
            for (i, handle) in &aborts {
                if !winding.contains(i) {
                    handle.abort();
                }
            }
            let until = tokio::time::Instant::now() + WIND_DOWN;
            while let Ok(Some(joined)) = tokio::time::timeout_at(until, tasks.join_next()).await {
                let Ok((i, out)) = joined else { continue };
                if !winding.contains(&i) || results[i].is_some() {
                    continue;
                }
                while let Ok(ev) = rx.try_recv() {
                    send(ev);
                }
                let mut r = out.result;
                if r.status == Status::Error {
                    // Ended early: not run, with the partial evidence and measurements.
                    r.status = Status::NotRun;
                    r.error = None;
                    r.hint = None;
                    r.reason = Some(format!("interrupted while running: {reason}"));
                }
                findings.extend(out.findings);
                finish(
                    &mut results,
                    i,
                    redact(&r),
                    &mut send,
                    &emit_at,
                    secret_pending > 0,
                );
            }
        }
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        while let Ok(ev) = rx.try_recv() {
            send(ev);
        }
        send(emit_at(RunEventKind::PlanCancelled {
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
                finish(&mut results, i, r, &mut send, &emit_at, secret_pending > 0);
            }
        }
    }
    // Teardown: always, after failures, Ctrl-C and the global timeout alike.
    let teardown_results: Vec<CheckResult> = if plan.teardown.is_empty() && started_steps.is_empty()
    {
        Vec::new()
    } else {
        lifecycle::teardown(plan, &vars_map, started_steps, run_start, plan_start)
            .await
            .iter()
            .map(&redact)
            .collect()
    };
    for r in &teardown_results {
        send(emit_at(RunEventKind::CheckFinished(Box::new(r.clone()))));
    }
    send(emit_at(RunEventKind::PlanFinished));
    let checks: Vec<CheckResult> = setup_results
        .into_iter()
        .chain(
            results
                .into_iter()
                .zip(&checks)
                .map(|(r, c)| r.unwrap_or_else(|| blank(c))),
        )
        .chain(teardown_results)
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

/// An event as it may leave the runner: every string redacted, no terminal controls.
fn for_display(ev: RunEvent, redactor: &Redactor) -> RunEvent {
    let text = |s: &str| strip_controls(&redactor.redact_str(s)).into_owned();
    let kind = match ev.kind {
        RunEventKind::CheckFinished(r) => {
            RunEventKind::CheckFinished(Box::new(redactor.redact_for_display(&*r)))
        }
        RunEventKind::CheckRetrying { id, attempt, note } => RunEventKind::CheckRetrying {
            id: text(&id),
            attempt,
            note: text(&note),
        },
        RunEventKind::CheckStarted { id } => RunEventKind::CheckStarted { id: text(&id) },
        RunEventKind::PlanCancelled { reason } => RunEventKind::PlanCancelled {
            reason: text(&reason),
        },
        k @ (RunEventKind::PlanStarted { .. } | RunEventKind::PlanFinished) => k,
    };
    RunEvent {
        elapsed: ev.elapsed,
        kind,
    }
}

/// Records a final result and emits it; `withhold` drops the server data from the
/// event while a secret capture is still to come.
fn finish(
    results: &mut [Option<CheckResult>],
    i: usize,
    r: CheckResult,
    on_event: &mut dyn FnMut(RunEvent),
    emit_at: &impl Fn(RunEventKind) -> RunEvent,
    withhold: bool,
) {
    let shown = if withhold {
        without_server_data(r.clone())
    } else {
        r.clone()
    };
    on_event(emit_at(RunEventKind::CheckFinished(Box::new(shown))));
    results[i] = Some(r);
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

fn blank(c: &Check) -> CheckResult {
    crate::check::base_result(c)
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
