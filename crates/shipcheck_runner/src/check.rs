//! One check: the attempt loop (probe → evaluate → capture) with retry or polling.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_plan::{Check, Predicate, Query, template};
use shipcheck_probe::{Observation, ProbeContext, observe};
use shipcheck_report::{
    Attempt, CaptureRecord, CheckError, CheckResult, FailureClass, Finding, HttpTimings,
    Measurement, REDACTED, Redactor, Status, strip_controls,
};
use tokio::sync::mpsc::UnboundedSender;

use crate::events::{RunEvent, RunEventKind};

/// Hard bound on attempts, whatever `retry` or `until` say.
const MAX_ATTEMPTS: u32 = 10_000;
/// Depth bound when plan vars refer to other vars.
const MAX_VAR_DEPTH: usize = 8;

/// Header name/value pairs.
type Headers = Vec<(String, String)>;

/// What a check task needs from the run.
pub(crate) struct CheckEnv {
    pub(crate) vars: Arc<BTreeMap<String, Value>>,
    pub(crate) captures: Arc<BTreeMap<String, Value>>,
    pub(crate) redactor: Arc<Mutex<Redactor>>,
    pub(crate) events: UnboundedSender<RunEvent>,
    pub(crate) run_start: Instant,
    pub(crate) evidence_cap: usize,
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

    /// Registers the credential headers of every HTTP hop: what was sent in
    /// `Authorization`/`Cookie` (including cookies a redirect carried) and the values of
    /// cookies the server set.
    fn add_http_credentials<'a>(&self, hops: impl Iterator<Item = (&'a Headers, &'a Headers)>) {
        let mut r = self.redactor();
        for (sent, received) in hops {
            for (k, v) in sent {
                if ["authorization", "proxy-authorization", "cookie"]
                    .iter()
                    .any(|h| k.eq_ignore_ascii_case(h))
                {
                    r.add_credential(v);
                }
            }
            for (k, v) in received {
                if k.eq_ignore_ascii_case("set-cookie") {
                    r.add_set_cookie(v);
                }
            }
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
        if status == Status::Passed || number >= max_attempts {
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

fn base_result(check: &Check) -> CheckResult {
    let mut r = CheckResult::new(&check.id, check.probe.kind());
    r.title = check.title.clone();
    r.critical = check.critical;
    r
}

async fn attempt(check: &Check, env: &CheckEnv) -> AttemptOutcome {
    let mut result = base_result(check);
    let lookup = |name: &str| env.lookup(name);
    let cx = ProbeContext {
        timeout: check.timeout,
        lookup: &lookup,
        evidence_cap: env.evidence_cap,
    };
    // The probe bounds itself; this outer bound (with a little grace) guards against any
    // probe that does not.
    let bounded = tokio::time::timeout(
        check.timeout + Duration::from_millis(250),
        observe(&check.probe, &cx),
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
            return AttemptOutcome {
                result,
                captures: Vec::new(),
                findings: Vec::new(),
            };
        }
        Ok(o) => o,
    };
    env.add_sent(&observed.sent_secrets);
    if let Observation::Http(ex) = &observed.observation {
        env.add_http_credentials(
            ex.hops
                .iter()
                .map(|h| (&h.request.headers, &h.response.headers)),
        );
    }
    result.assertions = shipcheck_probe::evaluate(&check.expect, &observed.observation);
    let findings = match &observed.observation {
        Observation::Lint(facts) => facts.findings.clone(),
        _ => Vec::new(),
    };
    if let Observation::Http(ex) = &observed.observation {
        result.timings = ex.hops.last().map(|h| HttpTimings {
            dns: h.timings.dns_ms,
            connect: h.timings.connect_ms,
            tls: h.timings.tls_ms,
            first_byte: h.timings.first_byte_ms,
            total: h.timings.total_ms,
        });
    }
    result.measurements = observed.measurements;
    result.evidence = observed.evidence;
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
        match shipcheck_probe::capture(&check.capture, &observed.observation) {
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

/// Puts the plan's targets on the measurements they bound (for the performance table).
fn attach_targets(
    check: &Check,
    measurements: &mut [Measurement],
    results: &[shipcheck_report::AssertionResult],
) {
    for (a, r) in check.expect.iter().zip(results) {
        let name = match a.query {
            Query::Duration => "total",
            Query::BodySize => "body_size",
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
