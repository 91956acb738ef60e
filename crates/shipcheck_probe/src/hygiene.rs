//! The facts of the `cors` probe, as query selections.

use serde_json::Value;
use shipcheck_plan::{Query, Unit};

/// What the `cors` probe saw: the preflight from the allowed and from a disallowed origin.
#[derive(Debug, Clone, Default)]
pub struct CorsFacts {
    /// URL preflighted.
    pub url: String,
    /// Origin, method and headers asked for.
    pub origin: String,
    /// Method asked for.
    pub method: String,
    /// Headers asked for (lower-case).
    pub headers: Vec<String>,
    /// Status of the allowed origin's preflight.
    pub status: u16,
    /// Its `Access-Control-Allow-*` headers (lower-case names).
    pub allow: Vec<(String, String)>,
    /// The disallowed origin sent.
    pub disallowed_origin: String,
    /// `Access-Control-Allow-Origin` answered to it.
    pub disallowed_allow_origin: Option<String>,
    /// Both preflights.
    pub duration_ms: f64,
}

impl CorsFacts {
    fn allow(&self, name: &str) -> Option<&str> {
        self.allow
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Why the preflight does not allow the origin, method or headers (`None`: it does).
    pub fn refusal(&self) -> Option<String> {
        let list = |v: Option<&str>| -> Vec<String> {
            v.unwrap_or("")
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        };
        match self.allow("access-control-allow-origin") {
            Some(o) if o == self.origin || o == "*" => {}
            Some(o) => return Some(format!("allow-origin is `{o}`, not `{}`", self.origin)),
            None => {
                return Some(format!(
                    "no access-control-allow-origin (status {})",
                    self.status
                ));
            }
        }
        let methods = list(self.allow("access-control-allow-methods"));
        let simple = matches!(self.method.as_str(), "GET" | "HEAD" | "POST");
        if !simple
            && !methods
                .iter()
                .any(|m| m == "*" || m.eq_ignore_ascii_case(&self.method))
        {
            return Some(format!("method {} is not in allow-methods", self.method));
        }
        let allowed = list(self.allow("access-control-allow-headers"));
        let missing: Vec<&str> = self
            .headers
            .iter()
            .filter(|h| !allowed.iter().any(|a| a == "*" || a == *h))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Some(format!("headers not allowed: {}", missing.join(", ")));
        }
        None
    }
}

/// The values a query selects on `cors` facts.
pub(crate) fn select_cors(q: &Query, f: &CorsFacts) -> Result<(Vec<Value>, Unit), String> {
    let one = |v: Value| Ok((vec![v], Unit::Number));
    let text = |name: &str| {
        Ok((
            f.allow(name)
                .map(|v| Value::String(v.to_owned()))
                .into_iter()
                .collect(),
            Unit::Number,
        ))
    };
    match q {
        Query::CorsAllowed => one(Value::Bool(f.refusal().is_none())),
        Query::CorsCredentials => one(Value::Bool(
            f.allow("access-control-allow-credentials") == Some("true"),
        )),
        Query::CorsMethods => text("access-control-allow-methods"),
        Query::CorsAllowHeaders => text("access-control-allow-headers"),
        Query::CorsRejectsOthers => one(Value::Bool(
            f.disallowed_allow_origin.as_deref() != Some(f.disallowed_origin.as_str()),
        )),
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to cors probes".into()),
    }
}

/// Extra words for a cors actual value.
pub(crate) fn note_cors(q: &Query, f: &CorsFacts) -> Option<String> {
    match q {
        Query::CorsAllowed => f.refusal(),
        Query::CorsRejectsOthers => Some(format!(
            "{} got allow-origin {}",
            f.disallowed_origin,
            f.disallowed_allow_origin.as_deref().unwrap_or("none")
        )),
        _ => None,
    }
}
