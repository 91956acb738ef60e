//! What a `cors` check observed (two preflights), and how its expectations read it.

use serde_json::Value;
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

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

impl Facts for CorsFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `cors` expectation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CorsQuery {
    /// The preflight from `origin` allows the method and headers.
    Allowed,
    /// `Access-Control-Allow-Credentials: true`.
    Credentials,
    /// The `Access-Control-Allow-Methods` value.
    Methods,
    /// The `Access-Control-Allow-Headers` value.
    AllowHeaders,
    /// A disallowed origin is not echoed back.
    RejectsOthers,
}

impl Select for CorsQuery {
    fn subject(&self) -> String {
        match self {
            CorsQuery::Allowed => "preflight allowed",
            CorsQuery::Credentials => "allow-credentials",
            CorsQuery::Methods => "allow-methods",
            CorsQuery::AllowHeaders => "allow-headers",
            CorsQuery::RejectsOthers => "disallowed origin not echoed",
        }
        .into()
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &CorsFacts = facts_as(facts, "cors")?;
        let text = |name: &str| Selected {
            values: f
                .allow(name)
                .map(|v| Value::String(v.to_owned()))
                .into_iter()
                .collect(),
            unit: Unit::Number,
        };
        Ok(match self {
            CorsQuery::Allowed => Selected::one(f.refusal().is_none()),
            CorsQuery::Credentials => {
                Selected::one(f.allow("access-control-allow-credentials") == Some("true"))
            }
            CorsQuery::Methods => text("access-control-allow-methods"),
            CorsQuery::AllowHeaders => text("access-control-allow-headers"),
            CorsQuery::RejectsOthers => Selected::one(
                f.disallowed_allow_origin.as_deref() != Some(f.disallowed_origin.as_str()),
            ),
        })
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &CorsFacts = facts_as(facts, "cors").ok()?;
        match self {
            CorsQuery::Allowed => f.refusal(),
            CorsQuery::RejectsOthers => Some(format!(
                "{} got allow-origin {}",
                f.disallowed_origin,
                f.disallowed_allow_origin.as_deref().unwrap_or("none")
            )),
            _ => None,
        }
    }
}
