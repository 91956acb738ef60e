//! Runs a drill: probes start (baseline), the command runs — or the steps, each running a
//! command and/or waiting until the probes see a state — probing goes on through the
//! settle, then stops; the timeline becomes measurements, evidence and series.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use shipcheck_plan::kind::{Observed, Partial, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::command::{self, Ended, GRACE};
use super::facts::{DrillFacts, StepOutcome};
use super::prober::{Prober, Send, Shared};
use super::spec::{DrillProbe, Target};
use super::summary;
use super::timeline::Timeline;
use crate::kinds::exec::Command;
use crate::kinds::http;

/// How often the drill looks at the timeline while waiting.
const POLL: Duration = Duration::from_millis(5);
/// Kept free at the end of the check's timeout.
const MARGIN: Duration = Duration::from_millis(200);
/// How long answers in flight are waited for when the run is interrupted.
const STOP_DRAIN: Duration = Duration::from_millis(200);

fn protocol(msg: String) -> ProbeError {
    ProbeError::new(FailureClass::Protocol, msg)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(super) async fn observe(p: &DrillProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let origin = Instant::now();
    let reserved = p.baseline + p.settle + p.probe_timeout + GRACE + MARGIN;
    let Some(command_time) = cx.timeout.checked_sub(reserved).filter(|d| !d.is_zero()) else {
        return Err(protocol(format!(
            "the check's timeout ({} ms) leaves no time for the command after the baseline, the settle, one probe timeout and {} s to stop it: raise `timeout`",
            cx.timeout.as_millis(),
            GRACE.as_secs()
        )));
    };
    let (send, sent_secrets, probe_line) = sender(p, cx)?;
    let timeline = Arc::new(Mutex::new(Timeline::new(ms(p.every))));
    let shared = Arc::new(Shared {
        send,
        timeout: p.probe_timeout,
        up: p.up.clone(),
        waits: p.steps.iter().map(|s| s.wait_until.clone()).collect(),
        version: p.version.clone(),
        timeline: Arc::clone(&timeline),
        origin,
    });
    let lock = || timeline.lock().unwrap_or_else(PoisonError::into_inner);
    let env: Vec<(String, String)> = p
        .env
        .iter()
        .map(|(k, v)| Ok((k.clone(), cx.render(v)?)))
        .collect::<Result<_, ProbeError>>()?;
    let prober = Prober::start(shared, p.every);
    pause(p.baseline, cx).await;
    let command_deadline = Instant::now() + command_time;
    lock().command_start_ms = Some(ms(origin.elapsed()));
    let mut ended: Vec<Ended> = Vec::new();
    let mut steps: Vec<StepOutcome> = Vec::new();
    if let Some(c) = &p.run {
        ended.push(run(c, p, &env, cx, command_deadline).await?);
    }
    for (i, step) in p.steps.iter().enumerate() {
        if cx.stop.requested() {
            break;
        }
        let step_start = ms(origin.elapsed());
        let mut outcome = StepOutcome {
            name: step.name.clone(),
            reached_ms: None,
            ok: true,
            why: None,
        };
        if let Some(c) = &step.run {
            let e = run(c, p, &env, cx, command_deadline).await?;
            if e.exit_code != Some(0) {
                outcome.ok = false;
                outcome.why = Some(match e.exit_code {
                    _ if e.stopped => format!("`{}` was stopped: the run was interrupted", e.line),
                    _ if e.timed_out => format!("`{}` did not finish in time", e.line),
                    Some(code) => format!("`{}` exited with {code}", e.line),
                    None => format!("`{}` was ended by a signal", e.line),
                });
            }
            ended.push(e);
        }
        if outcome.ok && !step.wait_until.is_empty() {
            lock().wait_for(i as u32, step_start);
            let until = origin + Duration::from_secs_f64(step_start / 1000.0) + step.within;
            let until = until.min(command_deadline);
            loop {
                if let Some(t) = lock().waited() {
                    outcome.reached_ms = Some(t - step_start);
                    break;
                }
                if Instant::now() >= until || cx.stop.requested() {
                    outcome.ok = false;
                    outcome.why = Some(format!(
                        "the probes did not see the expected state within {} ms",
                        step.within.as_millis()
                    ));
                    break;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        let failed = !outcome.ok;
        steps.push(outcome);
        if failed {
            break;
        }
    }
    let command_end = ms(origin.elapsed());
    lock().command_end_ms = Some(command_end);
    pause(p.settle, cx).await;
    let sent = prober.stop();
    // Answers still in flight are waited for; briefly when the run is being interrupted.
    let drain = if cx.stop.requested() {
        p.probe_timeout.min(STOP_DRAIN)
    } else {
        p.probe_timeout + Duration::from_millis(100)
    };
    let wait_until = Instant::now() + drain;
    while lock().taken() < sent && Instant::now() < wait_until {
        tokio::time::sleep(POLL).await;
    }
    let duration_ms = ms(origin.elapsed());
    let mut t = lock();
    let unanswered = sent.saturating_sub(t.taken());
    let down_at_end = t.finish();
    let facts = facts(&t, &ended, steps, !down_at_end, duration_ms);
    let mut measurements: Vec<Measurement> = facts
        .values
        .iter()
        .map(|(name, v)| Measurement::new(*name, *v, unit(name)))
        .collect();
    measurements.extend(summary::extra_measurements(&t));
    for st in &facts.steps {
        if let Some(v) = st.reached_ms {
            measurements.push(Measurement::new(format!("step[{}]", st.name), v, MeasureUnit::Ms));
        }
    }
    let mut evidence = vec![Evidence {
        label: "timeline".into(),
        text: summary::timeline_text(&t, &probe_line, p, unanswered),
        truncated: false,
    }];
    for e in &ended {
        evidence.push(summary::command_evidence(e, cx.evidence_cap));
    }
    if !facts.steps.is_empty() {
        evidence.push(summary::steps_evidence(&facts.steps));
    }
    let series = summary::series(&t);
    drop(t);
    if cx.stop.requested() {
        // Interrupted: what was measured so far, never judged as if the drill had ended.
        return Err(ProbeError {
            evidence,
            sent_secrets,
            partial: Some(Box::new(Partial {
                measurements,
                series,
            })),
            ..ProbeError::new(
                FailureClass::Timeout,
                format!("stopped early after {:.1} s: the run was interrupted", duration_ms / 1000.0),
            )
        });
    }
    Ok(Observed {
        evidence,
        measurements,
        sent_secrets,
        series,
        ..Observed::new(facts)
    })
}

/// What the probes send, the credentials they carry and the probe as shown.
fn sender(p: &DrillProbe, cx: &ProbeContext<'_>) -> Result<(Send, Vec<String>, String), ProbeError> {
    match &p.target {
        Target::Tcp(addr) => {
            let addr = cx.render(addr)?;
            let line = format!("tcp connect {addr}");
            Ok((Send::Tcp(addr), Vec::new(), line))
        }
        Target::Http(h) => {
            let (request, mut secrets) = http::build_request(h, cx)?;
            let client = http::client_keeping(h, usize::from(p.reuse))?;
            let basic_auth = match &h.basic_auth {
                Some((user, password)) => {
                    let auth = shipcheck_http::BasicAuth {
                        user: cx.render(user)?,
                        password: cx.render(password)?,
                    };
                    secrets.push(auth.password.clone());
                    secrets.push(auth.header_value());
                    Some(auth)
                }
                None => None,
            };
            let opts = shipcheck_http::RequestOptions {
                timeout: p.probe_timeout,
                follow_redirects: h.follow_redirects,
                max_body: usize::try_from(h.max_body).unwrap_or(usize::MAX),
                compressed: h.compressed,
                sensitive_values: cx.sensitive.to_vec(),
                basic_auth,
                cookie_jar: None,
            };
            let line = format!("{} {}", request.method, request.url);
            Ok((
                Send::Http {
                    client,
                    request: Box::new(request),
                    opts: Box::new(opts),
                },
                secrets,
                line,
            ))
        }
    }
}

/// Runs one command of the drill until `deadline`.
async fn run(
    c: &Command,
    p: &DrillProbe,
    env: &[(String, String)],
    cx: &ProbeContext<'_>,
    deadline: Instant,
) -> Result<Ended, ProbeError> {
    let argv: Vec<String> = match c {
        Command::Argv(args) => args.iter().map(|a| cx.render(a)).collect::<Result<_, _>>()?,
        Command::Shell(line) => vec!["sh".into(), "-c".into(), cx.render(line)?],
    };
    let running = command::start(&argv, &p.dir, env)
        .map_err(|e| ProbeError::new(FailureClass::Connect, e))?;
    Ok(running.finish(deadline, cx.stop).await)
}

/// Sleeps for `d`, or less when the run is being interrupted.
async fn pause(d: Duration, cx: &ProbeContext<'_>) {
    let until = Instant::now() + d;
    while !cx.stop.requested() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        tokio::time::sleep(left.min(POLL)).await;
    }
}

/// The facts: the timeline's measurements and how the commands ended.
fn facts(
    t: &Timeline,
    ended: &[Ended],
    steps: Vec<StepOutcome>,
    recovered: bool,
    duration_ms: f64,
) -> DrillFacts {
    let mut values: Vec<(&'static str, f64)> = vec![
        ("downtime", t.downtime_ms),
        ("failed_time", t.failed_time_ms),
        ("failed_probes", t.failed as f64),
        ("total_probes", t.total as f64),
    ];
    let start = t.command_start_ms.unwrap_or(0.0);
    if let Some(first) = t.first_error_ms {
        values.push(("time_to_first_error", first - start));
        if let Some(back) = t.recovered_ms.filter(|_| recovered) {
            values.push(("time_to_recovery", back - first));
        }
    } else if recovered {
        values.push(("time_to_recovery", 0.0));
    }
    let command_ms: f64 = ended.iter().map(|e| e.duration_ms).sum();
    values.push(("command_duration", command_ms));
    if let Some(w) = t.versions.mixed_window_ms() {
        values.push(("mixed_version_window", w));
    }
    let failing = ended.iter().find(|e| e.timed_out || e.exit_code != Some(0));
    let last = failing.or(ended.last());
    DrillFacts {
        values,
        exit_code: last.and_then(|e| e.exit_code),
        timed_out: last.is_some_and(|e| e.timed_out),
        recovered,
        steps,
        duration_ms,
    }
}

fn unit(name: &str) -> MeasureUnit {
    match name {
        "failed_probes" | "total_probes" => MeasureUnit::Count,
        _ => MeasureUnit::Ms,
    }
}
