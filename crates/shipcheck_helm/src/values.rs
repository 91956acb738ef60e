//! A release's user values (`config`): hashed and named, never shown.
//!
//! The hash is SHA-256 (lowercase hex) of the values' canonical JSON: object keys sorted
//! by their UTF-8 bytes, no whitespace, strings and numbers as `serde_json` writes them;
//! absent or `null` values hash as `{}`. For values with plain ASCII strings this equals
//! `helm get values NAME -o json | jq -cjS . | sha256sum`.

use std::fmt;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Most key names [`value_keys`] lists.
const MAX_KEYS: usize = 256;

/// A release's `config`, which may hold secrets: its `Debug` shows only its key count.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Values(Value);

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Values({} keys, redacted)", value_keys(&self.0).len())
    }
}

impl Values {
    /// [`values_hash`] of these values.
    pub fn hash(&self) -> String {
        values_hash(&self.0)
    }
    /// [`value_keys`] of these values.
    pub fn keys(&self) -> Vec<String> {
        value_keys(&self.0)
    }
    /// Whether no values were given.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Value::Null => true,
            Value::Object(m) => m.is_empty(),
            _ => false,
        }
    }
}

/// SHA-256 (lowercase hex) of [`canonical_json`] of `v` (`null` as `{}`).
pub fn values_hash(v: &Value) -> String {
    let digest = Sha256::digest(canonical_json(v).as_bytes());
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        s.push_str(&format!("{b:02x}"));
        s
    })
}

/// Canonical JSON: keys sorted by UTF-8 bytes, no whitespace; `null` at the top is `{}`.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Null => out.push_str("{}"),
        v => write_canonical(v, &mut out),
    }
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

/// The values' key paths (`db.password`, `hosts[].name`), sorted, without their values;
/// at most 256.
pub fn value_keys(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_keys(v, "", &mut out);
    out.sort();
    out.dedup();
    out.truncate(MAX_KEYS);
    out
}

fn collect_keys(v: &Value, prefix: &str, out: &mut Vec<String>) {
    if out.len() > MAX_KEYS * 4 {
        return;
    }
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_keys(v, &path, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for v in items {
                collect_keys(v, &format!("{prefix}[]"), out);
            }
        }
        _ if !prefix.is_empty() => out.push(prefix.to_owned()),
        _ => {}
    }
}
