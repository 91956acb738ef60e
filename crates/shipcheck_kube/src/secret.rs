//! Secrets without their values: what the `kubernetes` kind keeps of a Secret is its key
//! names; the values are dropped as soon as a LIST answers.

use serde_json::Value;

/// The annotation `kubectl apply` writes, which holds a Secret's values in clear.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Replaces every value of a Secret's `data` and `stringData` with `""` and drops the
/// `kubectl apply` annotation that repeats them; other objects are left alone.
pub fn strip_secret_values(object: &mut Value) {
    if let Some(m) = object
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    {
        m.remove(LAST_APPLIED);
    }
    for field in ["data", "stringData"] {
        if let Some(map) = object.get_mut(field).and_then(Value::as_object_mut) {
            for v in map.values_mut() {
                *v = Value::String(String::new());
            }
        }
    }
}

/// A Secret's key names (`data` and `stringData`), sorted.
pub fn secret_key_names(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = ["data", "stringData"]
        .iter()
        .filter_map(|f| object.get(*f).and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}
