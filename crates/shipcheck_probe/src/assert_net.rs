//! Query selection on legacy network observations (`webhook`, documents).

use jsonpath_rust::JsonPath as _;
use serde_json::Value;
use shipcheck_plan::{Query, Unit};

use crate::doc_facts::DocFacts;
use crate::net_facts::WebhookFacts;
use crate::observation::Observation;

/// How a network query is named in reports (`None`: not a network query).
pub(crate) fn subject(q: &Query) -> Option<String> {
    Some(match q {
        Query::WebhookAccepted => "status of the signed delivery".into(),
        Query::WebhookRejected => "status of the tampered delivery".into(),
        Query::DocValid => "document valid".into(),
        Query::Series(s) => format!("series {s}"),
        Query::Operation(o) => format!("operation {o}"),
        Query::CorsAllowed => "preflight allowed".into(),
        Query::CorsCredentials => "allow-credentials".into(),
        Query::CorsMethods => "allow-methods".into(),
        Query::CorsAllowHeaders => "allow-headers".into(),
        Query::CorsRejectsOthers => "disallowed origin not echoed".into(),
        _ => return None,
    })
}

/// The values a query selects on `webhook` facts.
pub(crate) fn select_webhook(q: &Query, f: &WebhookFacts) -> Result<(Vec<Value>, Unit), String> {
    match q {
        Query::WebhookAccepted => match &f.accepted {
            Some(d) => Ok((vec![Value::from(d.status)], Unit::Number)),
            None => Err("the signed delivery was not sent (deliver: tampered)".into()),
        },
        Query::WebhookRejected => match &f.rejected {
            Some(d) => Ok((vec![Value::from(d.status)], Unit::Number)),
            None => Err("the tampered delivery was not sent (deliver: signed)".into()),
        },
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to webhook probes".into()),
    }
}

/// The values a query selects on a fetched document.
pub(crate) fn select_doc(q: &Query, f: &DocFacts) -> Result<(Vec<Value>, Unit), String> {
    match q {
        Query::DocValid => Ok((vec![Value::Bool(f.problem.is_none())], Unit::Number)),
        Query::Series(sel) => {
            if let Some(p) = &f.problem {
                return Err(p.clone());
            }
            let (name, matchers) = shipcheck_plan::parse_selector(sel)
                .ok_or_else(|| format!("invalid selector {sel}"))?;
            Ok((
                f.samples
                    .iter()
                    .filter(|s| s.name == name)
                    .filter(|s| {
                        matchers.iter().all(|(l, v, eq)| {
                            let have = s.labels.iter().find(|(n, _)| n == l).map_or("", |(_, x)| x);
                            (have == v) == *eq
                        })
                    })
                    .map(|s| Value::from(s.value))
                    .collect(),
                Unit::Number,
            ))
        }
        Query::Operation(op) => {
            if let Some(p) = &f.problem {
                return Err(p.clone());
            }
            let wanted = match op.split_once(' ') {
                Some((m, path)) => format!("{} {}", m.to_uppercase(), path.trim()),
                None => op.clone(),
            };
            Ok((
                f.operations
                    .iter()
                    .filter(|o| **o == wanted)
                    .map(|o| Value::String(o.clone()))
                    .collect(),
                Unit::Number,
            ))
        }
        Query::JsonPath(path) => {
            let found = f
                .document
                .query(path)
                .map_err(|e| format!("invalid JSONPath {path}: {e}"))?;
            Ok((found.into_iter().cloned().collect(), Unit::Number))
        }
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to metrics or openapi probes".into()),
    }
}

/// Extra words for the actual value (which certificate problem, why a port is not open,
/// what a name resolved to).
pub(crate) fn note(q: &Query, obs: &Observation) -> Option<String> {
    match obs {
        Observation::Cors(f) => crate::hygiene::note_cors(q, f),
        Observation::Document(f) if *q == Query::DocValid => f.problem.clone(),
        Observation::Webhook(f)
            if *q == Query::WebhookRejected
                && f.rejected.as_ref().is_some_and(|d| d.status < 300) =>
        {
            Some("the endpoint accepted a body that does not match its signature".into())
        }
        _ => None,
    }
}
