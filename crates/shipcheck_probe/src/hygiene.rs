//! HTTPS hygiene on HTTP exchanges (HSTS, redirect to https, cookie flags, security
//! headers) and the facts of the `cors` probe, as query selections.

use serde_json::Value;
use shipcheck_http::Exchange;
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

fn header<'a>(ex: &'a Exchange, name: &str) -> Option<&'a str> {
    ex.hops.last().and_then(|h| h.response.header(name))
}

/// Whether `q` is a hygiene query (evaluated on HTTP exchanges).
pub(crate) fn is_hygiene(q: &Query) -> bool {
    matches!(
        q,
        Query::HstsMaxAge
            | Query::HstsIncludeSubdomains
            | Query::HttpsRedirect(_)
            | Query::CookieAttr(..)
            | Query::SecurityHeaders
    )
}

/// One parsed `Set-Cookie`: name and lower-cased attributes.
struct Cookie {
    name: String,
    attrs: Vec<(String, String)>,
}

fn cookies(ex: &Exchange) -> Vec<Cookie> {
    let Some(hop) = ex.hops.last() else {
        return Vec::new();
    };
    hop.response
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| {
            let mut parts = v.split(';');
            let name = parts
                .next()
                .and_then(|nv| nv.split_once('='))
                .map_or_else(String::new, |(n, _)| n.trim().to_owned());
            let attrs = parts
                .map(|a| match a.split_once('=') {
                    Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_owned()),
                    None => (a.trim().to_ascii_lowercase(), String::new()),
                })
                .collect();
            Cookie { name, attrs }
        })
        .collect()
}

/// The values a hygiene query selects on an HTTP exchange.
pub(crate) fn select_http(q: &Query, ex: &Exchange) -> Result<(Vec<Value>, Unit), String> {
    let one = |v: Value| Ok((vec![v], Unit::Number));
    match q {
        Query::HstsMaxAge | Query::HstsIncludeSubdomains => {
            let Some(hsts) = header(ex, "strict-transport-security") else {
                return Err("no strict-transport-security header".into());
            };
            let directives: Vec<String> = hsts
                .split(';')
                .map(|d| d.trim().to_ascii_lowercase())
                .collect();
            if *q == Query::HstsIncludeSubdomains {
                return one(Value::Bool(
                    directives.iter().any(|d| d == "includesubdomains"),
                ));
            }
            let age = directives
                .iter()
                .find_map(|d| d.strip_prefix("max-age="))
                .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
                .ok_or_else(|| format!("no valid max-age in `{hsts}`"))?;
            one(Value::from(age))
        }
        Query::HttpsRedirect(port) => {
            let Some(first) = ex.hops.first() else {
                return Err("no response".into());
            };
            let ok = redirect_problem(first, *port).is_none();
            one(Value::Bool(ok))
        }
        Query::CookieAttr(name, attr) => {
            let all = cookies(ex);
            let has = |c: &Cookie, a: &str| c.attrs.iter().any(|(k, _)| k == a);
            let flag = match attr.as_str() {
                "http_only" => "httponly",
                other => other,
            };
            if name == "*" {
                if all.is_empty() {
                    return Err("the response sets no cookies".into());
                }
                return one(Value::Bool(all.iter().all(|c| has(c, flag))));
            }
            let Some(c) = all.iter().find(|c| c.name == *name) else {
                return Err(format!("the response does not set cookie `{name}`"));
            };
            if attr == "same_site" {
                let v = c.attrs.iter().find(|(k, _)| k == "samesite").map_or_else(
                    String::new,
                    |(_, v)| {
                        let mut s = v.to_ascii_lowercase();
                        if let Some(f) = s.get_mut(0..1) {
                            f.make_ascii_uppercase();
                        }
                        s
                    },
                );
                return one(Value::String(v));
            }
            one(Value::Bool(has(c, flag)))
        }
        Query::SecurityHeaders => one(Value::Bool(missing_security_headers(ex).is_empty())),
        _ => Err("not a hygiene expectation".into()),
    }
}

/// Why the first hop is not a redirect to the same host over https.
fn redirect_problem(hop: &shipcheck_http::Hop, port: Option<u16>) -> Option<String> {
    let status = hop.response.status;
    if !matches!(status, 301 | 308) {
        return Some(format!("status {status}, not 301 or 308"));
    }
    let Some(loc) = hop.response.header("location") else {
        return Some("no location header".into());
    };
    let from = url::Url::parse(&hop.request.url).ok()?;
    let Ok(to) = from.join(loc) else {
        return Some(format!("location `{loc}` is not a URL"));
    };
    if to.scheme() != "https" {
        return Some(format!("location `{loc}` is not https"));
    }
    if to.host_str() != from.host_str() {
        return Some(format!("location `{loc}` changes the host"));
    }
    let want = port.unwrap_or(443);
    if to.port_or_known_default() != Some(want) {
        return Some(format!("location `{loc}` is not on port {want}"));
    }
    None
}

/// Which of the security-header bundle is missing.
fn missing_security_headers(ex: &Exchange) -> Vec<&'static str> {
    let csp = header(ex, "content-security-policy");
    let mut missing = Vec::new();
    if csp.is_none() {
        missing.push("content-security-policy");
    }
    if !header(ex, "x-content-type-options").is_some_and(|v| v.eq_ignore_ascii_case("nosniff")) {
        missing.push("x-content-type-options: nosniff");
    }
    let framing = csp.is_some_and(|c| c.contains("frame-ancestors"))
        || header(ex, "x-frame-options").is_some_and(|v| {
            v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin")
        });
    if !framing {
        missing.push("frame-ancestors or x-frame-options");
    }
    if header(ex, "referrer-policy").is_none() {
        missing.push("referrer-policy");
    }
    missing
}

/// Extra words for a hygiene actual value.
pub(crate) fn note_http(q: &Query, ex: &Exchange) -> Option<String> {
    match q {
        Query::HttpsRedirect(port) => ex.hops.first().and_then(|h| redirect_problem(h, *port)),
        Query::SecurityHeaders => {
            let m = missing_security_headers(ex);
            (!m.is_empty()).then(|| format!("missing: {}", m.join(", ")))
        }
        _ => None,
    }
}
