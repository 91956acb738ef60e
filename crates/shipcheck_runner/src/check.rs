//! One check: the attempt loop (probe → evaluate → capture) with retry or polling.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_plan::{Assertion, Check, Predicate, Query, template};
use shipcheck_probe::{ChainState, ProbeContext, Stop};
use shipcheck_report::{
    Attempt, CaptureRecord, CheckError, CheckResult, FailureClass, Finding, Measurement, REDACTED,
    Redactor, Status, strip_controls,
};
use tokio::sync::mpsc::UnboundedSender;

use crate::events::{RunEvent, RunEventKind};

/// Hard bound on attempts, whatever `retry` or `until` say.
const MAX_ATTEMPTS: u32 = 10_000;
/// Depth bound when plan vars refer to other vars.
const MAX_VAR_DEPTH: usize = 8;

/// What a check task needs from the run.
pub(crate) struct CheckEnv {
    pub(crate) vars: Arc<BTreeMap<String, Value>>,
    pub(crate) captures: Arc<BTreeMap<String, Value>>,
    pub(crate) redactor: Arc<Mutex<Redactor>>,
    pub(crate) events: UnboundedSender<RunEvent>,
    pub(crate) run_start: Instant,
    /// The wall-clock time the plan started (for "since the plan started").
    pub(crate) plan_start: std::time::SystemTime,
    pub(crate) evidence_cap: usize,
    /// Declared secrets and secret captures so far: never sent to another origin.
    pub(crate) sensitive: Arc<Vec<String>>,
    /// The state of the check's `needs` chain.
    pub(crate) chain: ChainState,
    /// Requested when the run is interrupted: probes that wind down end early.
    pub(crate) stop: Stop,
}

impl CheckEnv {
    fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.captures.get(name) {
            return Some(v.clone());
        }
        self.var(name, 0)
    }

    fn var(&self, name: &str, depth: usize) -> Option<Value> {
        let v = self.vars.get(name)?;
        if depth >= MAX_VAR_DEPTH {
            return Some(v.clone());
        }
        template::render_value(v, &|n: &str| {
            self.captures
                .get(n)
                .cloned()
                .or_else(|| self.var(n, depth + 1))
        })
        .ok()
    }

    fn emit(&self, kind: RunEventKind) {
        let _ = self.events.send(RunEvent {
            elapsed: self.run_start.elapsed(),
            kind,
        });
    }

    /// Redacted with every secret known now, without terminal controls.
    fn for_display(&self, text: &str) -> String {
        let redacted = self.redactor().redact_str(text);
        strip_controls(&redacted).into_owned()
    }

    fn redactor(&self) -> std::sync::MutexGuard<'_, Redactor> {
        self.redactor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers what a probe sent as credentials (header values, tokens, passwords).
    fn add_sent(&self, sent: &[String]) {
        let mut r = self.redactor();
        for s in sent {
            r.add_credential(s);
        }
    }
}

/// One attempt's outcome.
struct AttemptOutcome {
    result: CheckResult,
    captures: Vec<(String, Value)>,
    findings: Vec<Finding>,
}

/// What a finished check hands back: its result (not yet redacted), its captures and, for
/// lint checks, the findings (tagged with the check's id) for the report's findings list.
pub(crate) struct CheckOutput {
    pub(crate) result: CheckResult,
    pub(crate) captures: Vec<(String, Value)>,
    pub(crate) findings: Vec<Finding>,
}

/// Runs a check to its final status.
pub(crate) async fn run_check(check: &Check, env: &CheckEnv) -> CheckOutput {
    let start = Instant::now();
    env.emit(RunEventKind::CheckStarted {
        id: check.id.clone(),
    });
    let deadline = check.until.map(|u| start + u.within);
    let (max_attempts, pause) = match check.until {
        Some(u) => (MAX_ATTEMPTS, u.every),
        None => (
            check.retry.attempts.clamp(1, MAX_ATTEMPTS),
            check.retry.delay,
        ),
    };
    let mut attempts = Vec::new();
    let mut number = 0;
    let last = loop {
        number += 1;
        let t0 = Instant::now();
        let outcome = attempt(check, env).await;
        let status = outcome.result.status;
        attempts.push(Attempt {
            number,
            status,
            duration_ms: ms(t0.elapsed()),
            note: outcome.result.reason.clone(),
        });
        if status == Status::Passed || number >= max_attempts || env.stop.requested() {
            break outcome;
        }
        if deadline.is_some_and(|d| Instant::now() + pause >= d) {
            break outcome;
        }
        env.emit(RunEventKind::CheckRetrying {
            id: check.id.clone(),
            attempt: number,
            note: env.for_display(&retry_note(&outcome.result)),
        });
        tokio::time::sleep(pause).await;
    };
    let AttemptOutcome {
        mut result,
        captures,
        mut findings,
    } = last;
    result.started_ms = ms(start.duration_since(env.run_start));
    result.duration_ms = ms(start.elapsed());
    result.attempts = attempts;
    if matches!(result.status, Status::Failed | Status::Error) {
        let class = result.error.as_ref().map(|e| e.class.as_str());
        let failed = result.failed_assertions().map(|a| a.subject.as_str());
        result.hint =
            shipcheck_plan::kind::pick_hint(check.hints, class, failed).map(str::to_owned);
    }
    for f in &mut findings {
        f.check_id = Some(check.id.clone());
    }
    CheckOutput {
        result,
        captures,
        findings,
    }
}

/// Why an attempt did not pass, for a progress line: the failed expectation without the
/// value the server sent (a value a later check may capture as a secret), or the error.
fn retry_note(r: &CheckResult) -> String {
    if let Some(a) = r.failed_assertions().next() {
        return format!("{}: expected {} {}", a.subject, a.predicate, a.expected);
    }
    r.reason.clone().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A check's result before it runs: id, kind, title, criticality and plan position.
pub(crate) fn base_result(check: &Check) -> CheckResult {
    let mut r = CheckResult::new(&check.id, check.probe.kind());
    r.title = check.title.clone();
    r.critical = check.critical;
    r.pos = Some(shipcheck_report::SourcePos {
        line: check.pos.line,
        column: check.pos.column,
    });
    r
}

async fn attempt(check: &Check, env: &CheckEnv) -> AttemptOutcome {
    let mut result = base_result(check);
    let lookup = |name: &str| env.lookup(name);
    let cx = ProbeContext {
        timeout: check.timeout,
        plan_start: env.plan_start,
        lookup: &lookup,
        evidence_cap: env.evidence_cap,
        sensitive: &env.sensitive,
        chain: &env.chain,
        stop: &env.stop,
    };
    // The probe bounds itself; this outer bound (with a little grace) guards against any
    // probe that does not.
    let bounded = tokio::time::timeout(
        check.timeout + Duration::from_millis(250),
        check.probe.observe(&cx),
    );
    let observed = match bounded.await {
        Err(_) => Err(shipcheck_probe::ProbeError::new(
            FailureClass::Timeout,
            format!("timed out after {}", humanize(check.timeout)),
        )),
        Ok(r) => r,
    };
    let observed = match observed {
        Err(e) => {
            env.add_sent(&e.sent_secrets);
            result.status = Status::Error;
            result.reason = Some(format!("{}: {}", e.class.as_str(), e.message));
            result.error = Some(CheckError {
                class: e.class,
                message: e.message,
            });
            result.evidence = e.evidence;
            if let Some(partial) = e.partial {
                result.measurements = partial.measurements;
                result.series = partial.series;
            }
            return AttemptOutcome {
                result,
                captures: Vec::new(),
                findings: Vec::new(),
            };
        }
        Ok(o) => o,
    };
    env.add_sent(&observed.sent_secrets);
    let expect = match rendered(&check.expect, &lookup) {
        Ok(expect) => expect,
        Err(why) => {
            result.status = Status::Error;
            result.reason = Some(format!("protocol: {why}"));
            result.error = Some(CheckError {
                class: FailureClass::Protocol,
                message: why,
            });
            return AttemptOutcome {
                result,
                captures: Vec::new(),
                findings: Vec::new(),
            };
        }
    };
    result.assertions = shipcheck_probe::evaluate(&expect, observed.facts.as_ref());
    let findings = observed.findings;
    result.timings = observed.timings;
    result.measurements = observed.measurements;
    result.series = observed.series;
    result.evidence = observed.evidence;
    result.attachments = named_attachments(&check.id, observed.attachments);
    attach_targets(check, &mut result.measurements, &result.assertions);
    let mut captures = Vec::new();
    let first_failure = result.failed_assertions().next().map(|failed| {
        format!(
            "{}: expected {} {}, got {}",
            failed.subject, failed.predicate, failed.expected, failed.actual
        )
    });
    if let Some(summary) = first_failure {
        result.status = Status::Failed;
        result.reason = Some(summary.clone());
        result.error = Some(CheckError {
            class: FailureClass::Assertion,
            message: summary,
        });
    } else {
        match shipcheck_probe::capture(&check.capture, observed.facts.as_ref()) {
            Ok(values) => {
                for (name, value) in values {
                    let secret = check.capture.iter().any(|c| c.name == name && c.secret);
                    let text = match &value {
                        Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    if secret {
                        env.redactor().add_secret_value(&value);
                    }
                    result.captures.push(CaptureRecord {
                        name: name.clone(),
                        value: if secret { REDACTED.to_owned() } else { text },
                        secret,
                    });
                    captures.push((name, value));
                }
                result.status = Status::Passed;
            }
            Err(why) => {
                result.status = Status::Failed;
                result.reason = Some(why.clone());
                result.error = Some(CheckError {
                    class: FailureClass::Assertion,
                    message: why,
                });
            }
        }
    }
    AttemptOutcome {
        result,
        captures,
        findings,
    }
}

/// The expectations with the templates of their expected values rendered (`"$.id": "{{ id }}"`
/// compares with a captured value).
fn rendered(
    expect: &[Assertion],
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Result<Vec<Assertion>, String> {
    expect
        .iter()
        .map(|a| {
            Ok(Assertion {
                predicate: a.predicate.render(lookup).map_err(|e| {
                    format!("rendering the expected value at line {}: {e}", a.pos.line)
                })?,
                ..a.clone()
            })
        })
        .collect()
}

/// Puts the plan's targets on the measurements they bound (for the performance table).
fn attach_targets(
    check: &Check,
    measurements: &mut [Measurement],
    results: &[shipcheck_report::AssertionResult],
) {
    for (a, r) in check.expect.iter().zip(results) {
        let name = match &a.query {
            Query::Duration => "total",
            Query::Kind(k) => match k.0.measurement() {
                Some(name) => name,
                None => continue,
            },
            _ => continue,
        };
        if !matches!(
            a.predicate,
            Predicate::Under(_) | Predicate::Over(_) | Predicate::AtLeast(_) | Predicate::AtMost(_)
        ) {
            continue;
        }
        if let Some(m) = measurements.iter_mut().find(|m| m.name == name) {
            m.target = Some(r.expected.clone());
            m.met = Some(m.met.unwrap_or(true) && r.passed);
        }
    }
}

/// `1.5s`, `200ms`.
pub(crate) fn humanize(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// The attachments of a check's final attempt, each given its path beside the report:
/// `attachments/<check id>-<n>.<ext>`, the id reduced to characters safe in a file name.
fn named_attachments(
    id: &str,
    mut attachments: Vec<shipcheck_report::Attachment>,
) -> Vec<shipcheck_report::Attachment> {
    let stem: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    for (i, a) in attachments.iter_mut().enumerate() {
        a.path = format!("attachments/{stem}-{}.{}", i + 1, a.extension());
    }
    attachments
}
