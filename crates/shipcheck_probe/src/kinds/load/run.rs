//! Runs a `load` check: the engine on its own threads (the async runtime only waits for
//! it), stopped if the attempt is dropped; or saved shard results read and merged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shipcheck_load::{Config, LoadResult, Model, check_target};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass};

use super::facts::{LoadFacts, measurements};
use super::spec::{LoadProbe, RunSpec, Source};

/// Margin kept between the end of the load and the check's timeout.
const MARGIN: Duration = Duration::from_secs(2);
/// Largest saved result read by `merge`.
const MAX_RESULT_FILE: u64 = 64 * 1024 * 1024;

fn err(class: FailureClass, msg: impl Into<String>) -> ProbeError {
    ProbeError::new(class, msg.into())
}

/// Sets the stop flag when the attempt ends or is dropped (timeout, Ctrl-C).
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

pub(super) async fn observe(p: &LoadProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let started = Instant::now();
    let result = match &p.source {
        Source::Merge(files) => merge(files)?,
        Source::Run(spec) => generate(spec, cx).await?,
    };
    if let Some(path) = &p.save {
        let json = result
            .to_json()
            .map_err(|e| err(FailureClass::Protocol, e.to_string()))?;
        std::fs::write(path, json).map_err(|e| {
            err(FailureClass::Protocol, format!("cannot save the load result to {}: {e}", path.display()))
        })?;
    }
    let evidence = vec![Evidence {
        label: "load".into(),
        text: summary(&result, p.save.as_deref()),
        truncated: false,
    }];
    let facts = LoadFacts {
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        result,
    };
    let mut observed = Observed::new(facts.clone());
    observed.measurements = measurements(&facts.result);
    observed.series = super::facts::timeline(&facts.result);
    observed.evidence = evidence;
    Ok(observed)
}

async fn generate(spec: &RunSpec, cx: &ProbeContext<'_>) -> Result<LoadResult, ProbeError> {
    let url = cx.render(&spec.url)?;
    let target = check_target(&url, &spec.allow_targets).map_err(|e| {
        let class = match e {
            shipcheck_load::LoadError::Resolve { .. } => FailureClass::Dns,
            _ => FailureClass::Connect,
        };
        err(class, e.to_string())
    })?;
    let headers = spec
        .headers
        .iter()
        .map(|(k, v)| Ok((k.clone(), cx.render(v)?)))
        .collect::<Result<Vec<_>, ProbeError>>()?;
    let body = match &spec.body {
        Some(b) => cx.render(b)?.into_bytes(),
        None => Vec::new(),
    };
    let cfg = Config {
        target,
        method: spec.method.clone(),
        headers,
        body,
        model: match &spec.schedule {
            Some(s) => Model::Open(s.clone()),
            None => Model::Closed,
        },
        connections: spec.connections as usize,
        threads: spec.threads as usize,
        duration: spec.duration,
        requests: spec.requests,
        timeout: spec.request_timeout,
        shard: spec.shard,
    };
    if spec.duration.is_none() && spec.schedule.is_none() {
        // Bounded by count only: the check's timeout bounds it in time.
    } else if cfg.bound() + MARGIN > cx.timeout {
        return Err(err(
            FailureClass::Timeout,
            format!(
                "the load runs up to {} but the check's timeout is {}: set `timeout:` on the check to at least {}",
                shipcheck_plan::format_duration(cfg.bound()),
                shipcheck_plan::format_duration(cx.timeout),
                shipcheck_plan::format_duration(cfg.bound() + MARGIN)
            ),
        ));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let _guard = StopOnDrop(Arc::clone(&stop));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let flag = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("load".into())
        .spawn(move || {
            let _ = tx.send(shipcheck_load::run(&cfg, flag));
        })
        .map_err(|e| err(FailureClass::Protocol, format!("cannot start the load: {e}")))?;
    match rx.await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => {
            let class = match e {
                shipcheck_load::LoadError::Connect { .. } => FailureClass::Connect,
                _ => FailureClass::Protocol,
            };
            Err(err(class, e.to_string()))
        }
        Err(_) => Err(err(FailureClass::Protocol, "the load generator ended without a result")),
    }
}

fn merge(files: &[std::path::PathBuf]) -> Result<LoadResult, ProbeError> {
    let mut parts = Vec::with_capacity(files.len());
    for f in files {
        let text = shipcheck_plan::read_regular_file(f, MAX_RESULT_FILE)
            .map_err(|e| err(FailureClass::Protocol, format!("{}: {e}", f.display())))?;
        let text = String::from_utf8(text)
            .map_err(|_| err(FailureClass::Protocol, format!("{}: not UTF-8 text", f.display())))?;
        let r = LoadResult::from_json(&text)
            .map_err(|e| err(FailureClass::Protocol, format!("{}: {e}", f.display())))?;
        parts.push(r);
    }
    LoadResult::merge(parts).map_err(|e| err(FailureClass::Protocol, e.to_string()))
}

/// A wrk-like summary for the evidence.
fn summary(r: &LoadResult, saved: Option<&std::path::Path>) -> String {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}ms"));
    let mut s = format!(
        "{} {} — {} model, {} connections{}, {:.1}s\n",
        r.method,
        r.url,
        r.model,
        r.connections,
        match r.rate {
            Some(rate) => format!(", {rate:.1} req/s asked"),
            None => String::new(),
        },
        r.duration_ms / 1000.0
    );
    if r.shards.len() > 1 || r.shards.first().is_some_and(|s| s.count > 1) {
        let list: Vec<String> = r.shards.iter().map(|s| format!("{}/{}", s.index, s.count)).collect();
        s.push_str(&format!("shards: {}\n", list.join(", ")));
    }
    s.push_str(&format!(
        "{} requests ({:.1} req/s), {} sent, {} due\n",
        r.requests(),
        r.rps(),
        r.sent,
        r.scheduled
    ));
    s.push_str(&format!(
        "latency{}: p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}\n",
        if r.model == "open" { " (from intended start)" } else { "" },
        ms(r.quantile_ms(0.5)),
        ms(r.quantile_ms(0.9)),
        ms(r.quantile_ms(0.95)),
        ms(r.quantile_ms(0.99)),
        ms(r.quantile_ms(0.999)),
        ms(r.max_ms())
    ));
    let st = &r.status;
    s.push_str(&format!(
        "responses: 1xx {}  2xx {}  3xx {}  4xx {}  5xx {}\nerrors: connect {}  timeout {}  protocol {}\n",
        st.s1xx, st.s2xx, st.s3xx, st.s4xx, st.s5xx, r.errors.connect, r.errors.timeout, r.errors.protocol
    ));
    if let Some(a) = r.rate_achieved() {
        s.push_str(&format!("rate achieved: {:.2}%\n", a * 100.0));
    }
    if let Some(p) = saved {
        s.push_str(&format!("result saved to {}\n", p.display()));
    }
    s
}
