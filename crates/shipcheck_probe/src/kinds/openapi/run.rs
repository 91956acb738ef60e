//! Runs an `openapi` check: GET the document (JSON) and check that it is OpenAPI 3.x by
//! its structural rules, listing its operations.

use std::collections::HashSet;

use serde_json::Value;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};

use super::facts::OpenApiFacts;
use crate::kinds::document::{FetchProbe, fetch};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) async fn observe(p: &FetchProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let fetched = fetch(p, "application/json", cx).await?;
    let mut facts = OpenApiFacts {
        url: fetched.url.clone(),
        status: fetched.status,
        problem: fetched.problem.clone(),
        ..OpenApiFacts::default()
    };
    if facts.problem.is_none() {
        match serde_json::from_str::<Value>(&fetched.text()) {
            Ok(doc) => {
                match openapi(&doc) {
                    Ok(ops) => facts.operations = ops,
                    Err(e) => facts.problem = Some(format!("invalid OpenAPI document: {e}")),
                }
                facts.document = doc;
            }
            Err(e) => facts.problem = Some(format!("the document is not JSON: {e}")),
        }
    }
    facts.duration_ms = fetched.elapsed_ms();
    let verdict = match &facts.problem {
        Some(p) => format!("invalid: {p}"),
        None => format!("valid: {} operations", facts.operations.len()),
    };
    let (evidence, measurements) =
        fetched.record("openapi", &verdict, facts.duration_ms, cx.evidence_cap);
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
