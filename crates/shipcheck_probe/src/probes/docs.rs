//! The `metrics` and `openapi` probes: GET a document (through `shipcheck_http`, body capped)
//! and record whether it is valid — a Prometheus/OpenMetrics exposition ([`super::prom`]) or
//! an OpenAPI 3.x document (structural rules below) — with what it contains. A non-2xx answer
//! or an unreadable document is a fact (`valid: false`, saying why), not an error.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::Value;
use shipcheck_http::{ClientOptions, Request};
use shipcheck_plan::FetchProbe;
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::ProbeContext;
use crate::doc_facts::DocFacts;
use crate::observation::{Observation, Observed, ProbeError};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Which document a probe fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Metrics,
    OpenApi,
}

pub(super) async fn observe(
    p: &FetchProbe,
    kind: Kind,
    cx: &ProbeContext<'_>,
) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let render = |s: &str| cx.render(s);
    let url = cx.url(&p.url)?;
    let accept = match kind {
        Kind::Metrics => {
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
        }
        Kind::OpenApi => "application/json",
    };
    let mut headers = vec![("accept".to_owned(), accept.to_owned())];
    let mut sent_secrets = Vec::new();
    for (k, v) in &p.headers {
        let value = render(v)?;
        if k == "authorization" || k == "cookie" {
            sent_secrets.push(value.clone());
            if let Some((_, t)) = value.split_once(' ') {
                sent_secrets.push(t.trim().to_owned());
            }
        }
        headers.retain(|(name, _)| name != k);
        headers.push((k.clone(), value));
    }
    let extra_ca_pem = super::read_ca_file(p.ca_file.as_deref())?;
    let request = Request {
        headers,
        ..Request::get(url.clone())
    };
    let opts = ClientOptions {
        timeout: cx.timeout,
        insecure: p.insecure,
        extra_ca_pem,
        max_body: usize::try_from(p.max_body).unwrap_or(usize::MAX),
        ..ClientOptions::default()
    };
    let exchange = shipcheck_http::send(&request, &opts).await.map_err(|e| {
        let mut err = ProbeError::new(e.class(), e.to_string());
        err.sent_secrets = sent_secrets.clone();
        err
    })?;
    let Some(hop) = exchange.last() else {
        return Err(ProbeError::new(
            FailureClass::Protocol,
            format!("no response from {url}"),
        ));
    };
    let resp = &hop.response;
    let mut facts = DocFacts {
        url: url.to_string(),
        status: resp.status,
        ..DocFacts::default()
    };
    if !(200..300).contains(&resp.status) {
        facts.problem = Some(format!("HTTP {} from {url}", resp.status));
    } else if resp.body_truncated {
        facts.problem = Some(format!(
            "the document is larger than max_body ({} bytes)",
            p.max_body
        ));
    } else {
        let text = String::from_utf8_lossy(&resp.body);
        match kind {
            Kind::Metrics => match super::prom::parse(&text) {
                Ok((samples, _types)) => facts.samples = samples,
                Err(e) => facts.problem = Some(format!("invalid exposition: {e}")),
            },
            Kind::OpenApi => match serde_json::from_str::<Value>(&text) {
                Ok(doc) => {
                    match openapi(&doc) {
                        Ok(ops) => facts.operations = ops,
                        Err(e) => facts.problem = Some(format!("invalid OpenAPI document: {e}")),
                    }
                    facts.document = doc;
                }
                Err(e) => facts.problem = Some(format!("the document is not JSON: {e}")),
            },
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let shown = &resp.body[..resp.body.len().min(cx.evidence_cap)];
    let mut text = format!(
        "GET {url} → {}\n{}\n",
        resp.status,
        match &facts.problem {
            Some(p) => format!("invalid: {p}"),
            None if kind == Kind::Metrics => format!("valid: {} samples", facts.samples.len()),
            None => format!("valid: {} operations", facts.operations.len()),
        }
    );
    text.push_str(&String::from_utf8_lossy(shown));
    Ok(Observed {
        evidence: vec![Evidence {
            label: if kind == Kind::Metrics {
                "metrics"
            } else {
                "openapi"
            }
            .into(),
            text,
            truncated: resp.body.len() > cx.evidence_cap,
        }],
        measurements: vec![Measurement {
            name: "total".into(),
            value: facts.duration_ms,
            unit: "ms".into(),
            target: None,
            met: None,
        }],
        observation: Observation::Document(facts),
        sent_secrets,
    })
}

/// Structural rules of OpenAPI 3.0/3.1; returns the operations (`operationId` and
/// `METHOD /path`) or the first rule broken.
fn openapi(doc: &Value) -> Result<Vec<String>, String> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or("no `openapi` version string (a Swagger 2.0 document is not OpenAPI 3)")?;
    if !version.starts_with("3.") {
        return Err(format!("`openapi: {version}` is not 3.x"));
    }
    let info = doc
        .get("info")
        .and_then(Value::as_object)
        .ok_or("no `info` object")?;
    for field in ["title", "version"] {
        if !info.get(field).is_some_and(Value::is_string) {
            return Err(format!("`info.{field}` is missing or not a string"));
        }
    }
    let paths = doc.get("paths");
    if paths.is_none() && version.starts_with("3.0") {
        return Err("no `paths` object (required in 3.0)".into());
    }
    let mut ops = Vec::new();
    let mut ids = HashSet::new();
    let Some(paths) = paths else {
        return Ok(ops);
    };
    let paths = paths.as_object().ok_or("`paths` is not an object")?;
    for (path, item) in paths {
        if !path.starts_with('/') {
            return Err(format!("path `{path}` does not start with `/`"));
        }
        let item = item
            .as_object()
            .ok_or_else(|| format!("`paths.{path}` is not an object"))?;
        for (method, op) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let op = op
                .as_object()
                .ok_or_else(|| format!("`{method} {path}` is not an object"))?;
            if version.starts_with("3.0") && !op.contains_key("responses") {
                return Err(format!(
                    "`{} {path}` has no `responses`",
                    method.to_uppercase()
                ));
            }
            if let Some(id) = op.get("operationId") {
                let id = id
                    .as_str()
                    .ok_or_else(|| format!("`{method} {path}`: operationId is not a string"))?;
                if !ids.insert(id.to_owned()) {
                    return Err(format!("operationId `{id}` is used twice"));
                }
                ops.push(id.to_owned());
            }
            ops.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openapi_rules() {
        let ok = json!({ "openapi": "3.0.3", "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "get": { "operationId": "getA", "responses": {} }, "parameters": [] } } });
        assert_eq!(
            openapi(&ok),
            Ok(vec!["getA".to_owned(), "GET /a".to_owned()])
        );
        let swagger = json!({ "swagger": "2.0" });
        assert!(openapi(&swagger).unwrap_err().contains("Swagger 2.0"));
        let no_resp = json!({ "openapi": "3.0.0", "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "post": {} } } });
        assert_eq!(
            openapi(&no_resp),
            Err("`POST /a` has no `responses`".into())
        );
        let dup = json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "get": { "operationId": "x" } }, "/b": { "get": { "operationId": "x" } } } });
        assert!(openapi(&dup).unwrap_err().contains("used twice"));
        let webhooks_only =
            json!({ "openapi": "3.1.0", "info": { "title": "t", "version": "1" }, "webhooks": {} });
        assert_eq!(openapi(&webhooks_only), Ok(vec![]));
    }
}
