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

/// The one value a JSONPath capture selects in `doc`; `nothing` is the error's wording when
/// nothing matches (`"matched nothing"`, `"matched nothing in the messages"`).
pub(crate) fn one_json(doc: &Value, path: &str, nothing: &str) -> Result<Value, String> {
    match crate::assert::json_path(doc, path)?.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("{path} {nothing}")),
        many => Err(format!(
            "{path} matched {} values; a capture needs exactly one",
            many.len()
        )),
    }
}

/// Group `group` of the first match of `pattern` in `text` (`what` names the text).
pub(crate) fn regex_group(
    text: &str,
    pattern: &str,
    group: usize,
    what: &str,
) -> Result<Value, String> {
    let re = regex::Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))?;
    let caps = re
        .captures(text)
        .ok_or_else(|| format!("/{pattern}/ did not match {what}"))?;
    caps.get(group)
        .map(|m| Value::String(m.as_str().to_owned()))
        .ok_or_else(|| format!("/{pattern}/ has no group {group}"))
}
