//! Runs a `metrics` check: GET the exposition and parse it.

use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};

use super::facts::MetricsFacts;
use crate::kinds::document::{FetchProbe, fetch};

/// What the probe asks for: OpenMetrics first, the Prometheus text format otherwise.
const ACCEPT: &str = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

pub(super) async fn observe(p: &FetchProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let fetched = fetch(p, ACCEPT, cx).await?;
    let mut facts = MetricsFacts {
        url: fetched.url.clone(),
        status: fetched.status,
        problem: fetched.problem.clone(),
        ..MetricsFacts::default()
    };
    if facts.problem.is_none() {
        match super::exposition::parse(&fetched.text()) {
            Ok((samples, _types)) => facts.samples = samples,
            Err(e) => facts.problem = Some(format!("invalid exposition: {e}")),
        }
    }
    facts.duration_ms = fetched.elapsed_ms();
    let verdict = match &facts.problem {
        Some(p) => format!("invalid: {p}"),
        None => format!("valid: {} samples", facts.samples.len()),
    };
    let (evidence, measurements) =
        fetched.record("metrics", &verdict, facts.duration_ms, cx.evidence_cap);
    Ok(Observed {
        evidence,
        measurements,
        sent_secrets: fetched.sent_secrets,
        facts: Box::new(facts),
        timings: None,
        findings: Vec::new(),
        series: Vec::new(),
        attachments: Vec::new(),
    })
}
