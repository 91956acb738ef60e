//! Runs a `prometheus` check: GET `/api/v1/targets` and/or `/api/v1/query`, each bounded
//! by the check's timeout and `max_body`.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::Evidence;

use super::facts::{PrometheusFacts, ScrapeTarget};
use super::spec::PrometheusProbe;
use crate::kinds::document::{FetchProbe, Fetched, fetch};

/// One API call: the answer's `data`, or why it could not be read.
fn api_data(fetched: &Fetched) -> Result<Value, String> {
    let body: Result<Value, _> = serde_json::from_slice(&fetched.body);
    match (&fetched.problem, body) {
        (_, Ok(v)) if v["status"] == "success" => Ok(v["data"].clone()),
        (_, Ok(v)) if v["status"] == "error" => Err(format!(
            "the Prometheus API answered {}: {}",
            v["errorType"].as_str().unwrap_or("error"),
            v["error"].as_str().unwrap_or("no message")
        )),
        (Some(p), _) => Err(p.clone()),
        (None, _) => Err(format!(
            "{} did not answer with Prometheus API JSON",
            fetched.url
        )),
    }
}

fn targets(data: &Value) -> Vec<ScrapeTarget> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    data["activeTargets"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .map(|t| ScrapeTarget {
                    job: text(&t["labels"]["job"]),
                    instance: text(&t["labels"]["instance"]),
                    health: text(&t["health"]),
                    last_error: text(&t["lastError"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn endpoint(server: &FetchProbe, path: &str) -> FetchProbe {
    FetchProbe {
        url: format!("{}{path}", server.url.trim_end_matches('/')),
        ..server.clone()
    }
}

pub(super) async fn observe(
    p: &PrometheusProbe,
    cx: &ProbeContext<'_>,
) -> Result<Observed, ProbeError> {
    let start = std::time::Instant::now();
    let mut facts = PrometheusFacts::default();
    let mut evidence = Vec::new();
    let mut sent_secrets = Vec::new();
    let record = |label: &str, f: &Fetched, verdict: &str, ev: &mut Vec<Evidence>| {
        let (mut e, _) = f.record(label, verdict, f.elapsed_ms(), cx.evidence_cap);
        ev.append(&mut e);
    };
    if let Some(want) = &p.targets {
        let fetched = fetch(
            &endpoint(&p.server, "/api/v1/targets?state=active"),
            "application/json",
            cx,
        )
        .await?;
        sent_secrets.extend(fetched.sent_secrets.iter().cloned());
        match api_data(&fetched) {
            Ok(data) => {
                facts.targets = Some((want.clone(), targets(&data)));
                let bad = facts.unhealthy();
                let verdict = if bad.is_empty() {
                    "every target asked for is up".to_owned()
                } else {
                    format!("not up: {}", bad.join("; "))
                };
                record("targets", &fetched, &verdict, &mut evidence);
            }
            Err(e) => {
                record("targets", &fetched, &e, &mut evidence);
                facts.problem = Some(e);
            }
        }
    }
    if let (Some(q), None) = (&p.query, &facts.problem) {
        let query = cx.render(q)?;
        let path = format!(
            "/api/v1/query?query={}",
            utf8_percent_encode(&query, NON_ALPHANUMERIC)
        );
        let fetched = fetch(&endpoint(&p.server, &path), "application/json", cx).await?;
        sent_secrets.extend(fetched.sent_secrets.iter().cloned());
        match api_data(&fetched) {
            Ok(data) => {
                facts.query = Some(data);
                let n = facts.samples().len();
                record(
                    "query",
                    &fetched,
                    &format!("{query}\n{n} series"),
                    &mut evidence,
                );
            }
            Err(e) => {
                record("query", &fetched, &e, &mut evidence);
                facts.problem = Some(e);
            }
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let measurements = vec![shipcheck_report::Measurement::new(
        "total",
        facts.duration_ms,
        shipcheck_report::MeasureUnit::Ms,
    )];
    Ok(Observed {
        evidence,
        measurements,
        sent_secrets,
        facts: Box::new(facts),
        timings: None,
        findings: Vec::new(),
        series: Vec::new(),
        attachments: Vec::new(),
    })
}
