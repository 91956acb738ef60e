//! Generic evaluation of captures: each kind that supports them reads its own facts.

use serde_json::Value;
use shipcheck_plan::Capture;
use shipcheck_plan::kind::Facts;

/// Extracts every capture; `Err` names the first capture that could not be taken and why.
pub fn capture(captures: &[Capture], facts: &dyn Facts) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::with_capacity(captures.len());
    for c in captures {
        let v = facts
            .capture(c)
            .map_err(|why| format!("capture `{}`: {why}", c.name))?;
        out.push((c.name.clone(), v));
    }
    Ok(out)
}
