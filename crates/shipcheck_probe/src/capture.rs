//! Generic evaluation of captures on an observation.

use serde_json::Value;
use shipcheck_plan::Capture;

use shipcheck_plan::kind::Facts;

use crate::observation::Observation;

/// Extracts every capture; `Err` names the first capture that could not be taken and why.
pub fn capture(captures: &[Capture], facts: &dyn Facts) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::with_capacity(captures.len());
    for c in captures {
        let v = match facts.as_any().downcast_ref::<Observation>() {
            Some(obs) => one(c, obs),
            None => facts.capture(c),
        }
        .map_err(|why| format!("capture `{}`: {why}", c.name))?;
        out.push((c.name.clone(), v));
    }
    Ok(out)
}

fn one(c: &Capture, _obs: &Observation) -> Result<Value, String> {
    let _ = c;
    Err("captures are only supported on HTTP and WebSocket probes".into())
}
