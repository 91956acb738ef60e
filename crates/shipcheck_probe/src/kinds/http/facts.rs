//! What an `http` check observed (the exchange, every hop) and how its queries read it.

use std::borrow::Cow;

use serde_json::Value;
use shipcheck_http::Exchange;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};
use shipcheck_plan::{Capture, CaptureSource, Unit};
use shipcheck_report::FailureClass;

use super::hygiene::{Cookie, cookies, header, missing_security_headers, redirect_problem};
use crate::capture::{one_json, regex_group};
use crate::value::shorten;

/// The exchange of one attempt (every hop of the redirect chain; for a sampled check, the
/// last sample's), the latency of the samples, or the error an `error:` expectation reads.
#[derive(Debug, Clone)]
pub(crate) struct HttpFacts {
    pub(crate) ex: Exchange,
    latency: Option<Latency>,
    error: Option<(FailureClass, String)>,
}

/// Percentiles of the samples' total times, in milliseconds (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p95: f64,
    pub(crate) max: f64,
}

impl Latency {
    /// The percentiles of `samples` (at least one).
    pub(crate) fn of(samples: &[f64]) -> Latency {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let n = sorted.len();
            if n == 0 {
                return 0.0;
            }
            let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            sorted[i]
        };
        Latency {
            p50: rank(0.50),
            p95: rank(0.95),
            max: rank(1.0),
        }
    }
}

impl HttpFacts {
    /// A completed exchange.
    pub(crate) fn new(ex: Exchange) -> Self {
        HttpFacts {
            ex,
            latency: None,
            error: None,
        }
    }

    /// A request that got no response (for `error:` expectations).
    pub(crate) fn error(class: FailureClass, message: String) -> Self {
        HttpFacts {
            ex: Exchange { hops: Vec::new() },
            latency: None,
            error: Some((class, message)),
        }
    }

    /// The class of the failure, for a request that got no response.
    pub(crate) fn failure(&self) -> Option<FailureClass> {
        self.error.as_ref().map(|(class, _)| *class)
    }

    /// With the latency of the samples.
    pub(crate) fn with_latency(mut self, latency: Option<Latency>) -> Self {
        self.latency = latency;
        self
    }

    fn last(&self) -> Result<&shipcheck_http::Hop, String> {
        match &self.error {
            Some((class, message)) => Err(format!("no response ({}: {message})", class.as_str())),
            None => self.ex.hops.last().ok_or_else(|| "no response".to_owned()),
        }
    }

    fn body_json(&self) -> Result<Value, String> {
        let resp = &self.last()?.response;
        if resp.body_truncated {
            return Err(format!(
                "body was cut at {} bytes (max_body), so it cannot be read as JSON",
                resp.body.len()
            ));
        }
        serde_json::from_slice(&resp.body).map_err(|e| {
            format!(
                "body is not JSON ({e}): {}",
                shorten(String::from_utf8_lossy(&resp.body).into_owned())
            )
        })
    }
}

impl Facts for HttpFacts {
    fn duration_ms(&self) -> f64 {
        self.ex.hops.last().map_or(0.0, |h| h.timings.total_ms)
    }

    fn json(&self) -> Result<Cow<'_, Value>, String> {
        self.body_json().map(Cow::Owned)
    }

    fn capture(&self, c: &Capture) -> Result<Value, String> {
        let resp = &self.last()?.response;
        match &c.source {
            CaptureSource::JsonPath(path) => {
                let json: Value = serde_json::from_slice(&resp.body)
                    .map_err(|e| format!("body is not JSON ({e})"))?;
                one_json(&json, path, "matched nothing")
            }
            CaptureSource::Header(name) => resp
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| Value::String(v.clone()))
                .ok_or_else(|| format!("no `{name}` header in the response")),
            CaptureSource::Regex { pattern, group } => {
                regex_group(&String::from_utf8_lossy(&resp.body), pattern, *group, "the body")
            }
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What an `http` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HttpQuery {
    /// The final status code.
    Status,
    /// A response header (name lower-cased).
    Header(String),
    /// The body as text.
    Body,
    /// Bytes of body read.
    BodySize,
    /// `Strict-Transport-Security` max-age in seconds.
    HstsMaxAge,
    /// `Strict-Transport-Security` has includeSubDomains.
    HstsIncludeSubdomains,
    /// The first response is a 301/308 to the same host over https (on this port).
    HttpsRedirect(Option<u16>),
    /// An attribute (`secure`, `http_only`, `same_site`) of a Set-Cookie (`*`: all).
    CookieAttr(String, String),
    /// CSP, X-Content-Type-Options, frame protection and Referrer-Policy are set.
    SecurityHeaders,
    /// Redirects followed (hops after the first).
    Redirects,
    /// The URL of the last request.
    FinalUrl,
    /// The failure class of a request that got no response (`none` when one came).
    Error,
    /// A percentile of a sampled check's total times (`p50`, `p95`, `max`).
    Latency(&'static str),
}

impl Select for HttpQuery {
    fn subject(&self) -> String {
        match self {
            HttpQuery::Status => "status".into(),
            HttpQuery::Header(h) => format!("header {h}"),
            HttpQuery::Body => "body".into(),
            HttpQuery::BodySize => "body_size".into(),
            HttpQuery::HstsMaxAge => "hsts max-age".into(),
            HttpQuery::HstsIncludeSubdomains => "hsts includeSubDomains".into(),
            HttpQuery::HttpsRedirect(_) => "redirect to https".into(),
            HttpQuery::CookieAttr(c, a) => format!("cookie {c} {a}"),
            HttpQuery::SecurityHeaders => "security headers".into(),
            HttpQuery::Redirects => "redirects".into(),
            HttpQuery::FinalUrl => "final_url".into(),
            HttpQuery::Error => "error".into(),
            HttpQuery::Latency(p) => format!("latency {p}"),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &HttpFacts = facts_as(facts, "http")?;
        let ex = &f.ex;
        match self {
            HttpQuery::Error => {
                return Ok(Selected::one(
                    f.error.as_ref().map_or("none", |(class, _)| class.as_str()),
                ));
            }
            HttpQuery::Latency(which) => {
                let l = f
                    .latency
                    .ok_or("the check sends one request: set `samples`")?;
                let v = match *which {
                    "p50" => l.p50,
                    "p95" => l.p95,
                    _ => l.max,
                };
                return Ok(Selected::with_unit(v, Unit::Millis));
            }
            _ => {}
        }
        let hop = f.last()?;
        let resp = &hop.response;
        Ok(match self {
            HttpQuery::Status => Selected::one(resp.status),
            HttpQuery::Header(name) => {
                let values: Vec<&str> = resp
                    .headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
                    .collect();
                if values.is_empty() {
                    Selected::none()
                } else {
                    Selected::one(values.join(", "))
                }
            }
            HttpQuery::Body => Selected::one(String::from_utf8_lossy(&resp.body).into_owned()),
            HttpQuery::BodySize => Selected::with_unit(resp.body_bytes_read, Unit::Bytes),
            HttpQuery::HstsMaxAge | HttpQuery::HstsIncludeSubdomains => {
                let Some(hsts) = header(ex, "strict-transport-security") else {
                    return Err("no strict-transport-security header".into());
                };
                let directives: Vec<String> = hsts
                    .split(';')
                    .map(|d| d.trim().to_ascii_lowercase())
                    .collect();
                if *self == HttpQuery::HstsIncludeSubdomains {
                    return Ok(Selected::one(
                        directives.iter().any(|d| d == "includesubdomains"),
                    ));
                }
                let age = directives
                    .iter()
                    .find_map(|d| d.strip_prefix("max-age="))
                    .and_then(|v| v.trim_matches('"').parse::<u64>().ok())
                    .ok_or_else(|| format!("no valid max-age in `{hsts}`"))?;
                Selected::one(age)
            }
            HttpQuery::HttpsRedirect(port) => {
                let Some(first) = ex.hops.first() else {
                    return Err("no response".into());
                };
                Selected::one(redirect_problem(first, *port).is_none())
            }
            HttpQuery::CookieAttr(name, attr) => cookie_attr(ex, name, attr)?,
            HttpQuery::SecurityHeaders => Selected::one(missing_security_headers(ex).is_empty()),
            HttpQuery::Redirects => Selected::one(ex.hops.len().saturating_sub(1)),
            HttpQuery::FinalUrl => Selected::one(hop.request.url.clone()),
            HttpQuery::Error | HttpQuery::Latency(_) => Selected::none(),
        })
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &HttpFacts = facts_as(facts, "http").ok()?;
        match self {
            HttpQuery::HttpsRedirect(port) => {
                f.ex.hops.first().and_then(|h| redirect_problem(h, *port))
            }
            HttpQuery::SecurityHeaders => {
                let m = missing_security_headers(&f.ex);
                (!m.is_empty()).then(|| format!("missing: {}", m.join(", ")))
            }
            _ => None,
        }
    }

    fn measurement(&self) -> Option<&'static str> {
        match self {
            HttpQuery::BodySize => Some("body_size"),
            HttpQuery::Latency(p) => Some(p),
            _ => None,
        }
    }
}

/// A cookie attribute, or for `*` whether every cookie has the flag.
fn cookie_attr(ex: &Exchange, name: &str, attr: &str) -> Result<Selected, String> {
    let all = cookies(ex);
    let has = |c: &Cookie, a: &str| c.attrs.iter().any(|(k, _)| k == a);
    let flag = match attr {
        "http_only" => "httponly",
        other => other,
    };
    if name == "*" {
        if all.is_empty() {
            return Err("the response sets no cookies".into());
        }
        return Ok(Selected::one(all.iter().all(|c| has(c, flag))));
    }
    let Some(c) = all.iter().find(|c| c.name == name) else {
        return Err(format!("the response does not set cookie `{name}`"));
    };
    if attr == "same_site" {
        let v = c
            .attrs
            .iter()
            .find(|(k, _)| k == "samesite")
            .map_or_else(String::new, |(_, v)| {
                let mut s = v.to_ascii_lowercase();
                if let Some(f) = s.get_mut(0..1) {
                    f.make_ascii_uppercase();
                }
                s
            });
        return Ok(Selected::one(v));
    }
    Ok(Selected::one(has(c, flag)))
}
