//! Generic evaluation of captures on an observation.

use jsonpath_rust::JsonPath as _;
use serde_json::Value;
use shipcheck_plan::{Capture, CaptureSource};

use crate::observation::Observation;

/// Extracts every capture; `Err` names the first capture that could not be taken and why.
pub fn capture(captures: &[Capture], obs: &Observation) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::with_capacity(captures.len());
    for c in captures {
        let v = one(c, obs).map_err(|why| format!("capture `{}`: {why}", c.name))?;
        out.push((c.name.clone(), v));
    }
    Ok(out)
}

fn one(c: &Capture, obs: &Observation) -> Result<Value, String> {
    if let Observation::WebSocket(ws) = obs {
        return crate::assert_net::capture_ws(c, ws);
    }
    let Observation::Http(ex) = obs else {
        return Err("captures are only supported on HTTP and WebSocket probes".into());
    };
    let resp = &ex.hops.last().ok_or("no response")?.response;
    match &c.source {
        CaptureSource::JsonPath(path) => {
            let json: Value = serde_json::from_slice(&resp.body)
                .map_err(|e| format!("body is not JSON ({e})"))?;
            let found = json
                .query(path)
                .map_err(|e| format!("invalid JSONPath {path}: {e}"))?;
            match found.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(format!("{path} matched nothing")),
                many => Err(format!(
                    "{path} matched {} values; a capture needs exactly one",
                    many.len()
                )),
            }
        }
        CaptureSource::Header(name) => resp
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| Value::String(v.clone()))
            .ok_or_else(|| format!("no `{name}` header in the response")),
        CaptureSource::Regex { pattern, group } => {
            let re = regex::Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))?;
            let body = String::from_utf8_lossy(&resp.body);
            let caps = re
                .captures(&body)
                .ok_or_else(|| format!("/{pattern}/ did not match the body"))?;
            caps.get(*group)
                .map(|m| Value::String(m.as_str().to_owned()))
                .ok_or_else(|| format!("/{pattern}/ has no group {group}"))
        }
    }
}
