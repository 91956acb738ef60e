//! Query selection on network observations (`tls`, `tcp`, `dns`).

use std::time::{SystemTime, UNIX_EPOCH};

use jsonpath_rust::JsonPath as _;
use serde_json::Value;
use shipcheck_plan::{Query, TLS_VERSIONS, Unit};

use crate::net_facts::{DnsFacts, TcpFacts, WsFacts};
use crate::observation::Observation;
use crate::tls_facts::TlsFacts;

/// How a network query is named in reports (`None`: not a network query).
pub(crate) fn subject(q: &Query) -> Option<String> {
    Some(match q {
        Query::TlsValid => "certificate valid".into(),
        Query::TlsVersion => "tls version".into(),
        Query::TlsVersionNumber => "minimum tls version".into(),
        Query::TlsCipher => "cipher suite".into(),
        Query::TlsAlpn => "alpn".into(),
        Query::TlsIssuer => "issuer".into(),
        Query::TlsExpiresIn => "expires in".into(),
        Query::TlsAccepts(v) => format!("accepts {v}"),
        Query::TcpOpen => "port open".into(),
        Query::DnsResolves => "resolves".into(),
        Query::DnsAddress(ip) => format!("address {ip}"),
        Query::WsMessages => "messages".into(),
        Query::WsClosed => "closed cleanly".into(),
        _ => return None,
    })
}

/// The values a query selects on `tls` facts.
pub(crate) fn select_tls(q: &Query, f: &TlsFacts) -> Result<(Vec<Value>, Unit), String> {
    let one = |v: Value| Ok((vec![v], Unit::Number));
    match q {
        Query::TlsValid => one(Value::Bool(f.problem.is_none())),
        Query::TlsVersion => one(Value::String(f.version.clone())),
        Query::TlsVersionNumber => match TLS_VERSIONS.iter().find(|(n, _)| *n == f.version) {
            Some((_, n)) => one(Value::from(*n)),
            None => Err(format!("unknown version {}", f.version)),
        },
        Query::TlsCipher => one(Value::String(f.cipher.clone())),
        Query::TlsAlpn => Ok((
            f.alpn.iter().map(|a| Value::String(a.clone())).collect(),
            Unit::Number,
        )),
        Query::TlsIssuer => match f.chain.first() {
            Some(c) => one(Value::String(c.issuer.clone())),
            None => Err("the server sent no certificate".into()),
        },
        Query::TlsExpiresIn => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i128);
            match f.expires_in_ms(now) {
                Some((ms, _)) => Ok((vec![Value::from(ms)], Unit::Millis)),
                None => Err("the server sent no certificate".into()),
            }
        }
        Query::TlsAccepts(v) => match f.accepts.get(v) {
            Some(Ok(b)) => one(Value::Bool(*b)),
            Some(Err(e)) => Err(format!("could not tell whether {v} is accepted: {e}")),
            None => Err(format!("{v} was not asked")),
        },
        Query::JsonPath(path) => json_path(&f.to_json(), path),
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to tls probes".into()),
    }
}

/// The values a JSONPath selects in a facts document.
fn json_path(doc: &Value, path: &str) -> Result<(Vec<Value>, Unit), String> {
    let found = doc
        .query(path)
        .map_err(|e| format!("invalid JSONPath {path}: {e}"))?;
    Ok((found.into_iter().cloned().collect(), Unit::Number))
}

/// The values a query selects on `tcp` facts.
pub(crate) fn select_tcp(q: &Query, f: &TcpFacts) -> Result<(Vec<Value>, Unit), String> {
    match q {
        Query::TcpOpen => Ok((vec![Value::Bool(f.open)], Unit::Number)),
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to tcp probes".into()),
    }
}

/// The values a query selects on `dns` facts.
pub(crate) fn select_dns(q: &Query, f: &DnsFacts) -> Result<(Vec<Value>, Unit), String> {
    match q {
        Query::DnsResolves => Ok((vec![Value::Bool(!f.addresses.is_empty())], Unit::Number)),
        Query::DnsAddress(ip) => Ok((
            f.addresses
                .iter()
                .filter(|a| *a == ip)
                .map(|a| Value::String(a.clone()))
                .collect(),
            Unit::Number,
        )),
        Query::JsonPath(path) => json_path(&f.to_json(), path),
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to dns probes".into()),
    }
}

/// The values a query selects on `websocket` facts.
pub(crate) fn select_ws(q: &Query, f: &WsFacts) -> Result<(Vec<Value>, Unit), String> {
    match q {
        Query::WsMessages => Ok((f.messages.clone(), Unit::Number)),
        Query::WsClosed => Ok((vec![Value::Bool(f.closed_cleanly)], Unit::Number)),
        Query::JsonPath(path) => json_path(&f.to_json(), path),
        Query::Duration => Ok((vec![Value::from(f.duration_ms)], Unit::Millis)),
        _ => Err("this expectation does not apply to websocket probes".into()),
    }
}

/// Extra words for the actual value (which certificate problem, why a port is not open,
/// what a name resolved to).
pub(crate) fn note(q: &Query, obs: &Observation) -> Option<String> {
    match obs {
        Observation::Tls(f) => note_tls(q, f),
        Observation::Tcp(f) if *q == Query::TcpOpen => f.reason.clone(),
        Observation::WebSocket(f) if matches!(q, Query::WsMessages | Query::WsClosed) => {
            Some(format!("ended: {}", f.ended))
        }
        Observation::Dns(f) if matches!(q, Query::DnsResolves | Query::DnsAddress(_)) => Some(
            format!("{} {}: [{}]", f.rcode, f.record, f.addresses.join(", ")),
        ),
        _ => None,
    }
}

fn note_tls(q: &Query, f: &TlsFacts) -> Option<String> {
    match q {
        Query::TlsValid => f.problem.clone(),
        Query::TlsExpiresIn => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i128);
            f.expires_in_ms(now).map(|(ms, c)| {
                format!(
                    "{:.1} days, {} on {}",
                    ms / 86_400_000.0,
                    c.subject,
                    c.not_after
                )
            })
        }
        _ => None,
    }
}

/// A capture from a WebSocket session: a JSONPath into the array of messages, or a regex
/// over the messages (one per line).
pub(crate) fn capture_ws(c: &shipcheck_plan::Capture, f: &WsFacts) -> Result<Value, String> {
    use shipcheck_plan::CaptureSource;
    match &c.source {
        CaptureSource::JsonPath(path) => {
            let doc = f.to_json();
            let found = doc
                .query(path)
                .map_err(|e| format!("invalid JSONPath {path}: {e}"))?;
            match found.as_slice() {
                [one] => Ok((*one).clone()),
                [] => Err(format!("{path} matched nothing in the messages")),
                many => Err(format!(
                    "{path} matched {} values; a capture needs exactly one",
                    many.len()
                )),
            }
        }
        CaptureSource::Header(name) => Err(format!(
            "a WebSocket session has no `{name}` response header to capture"
        )),
        CaptureSource::Regex { pattern, group } => {
            let re = regex::Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))?;
            let text: Vec<String> = f.messages.iter().map(crate::value::text).collect();
            let text = text.join("\n");
            let caps = re
                .captures(&text)
                .ok_or_else(|| format!("/{pattern}/ did not match the messages"))?;
            caps.get(*group)
                .map(|m| Value::String(m.as_str().to_owned()))
                .ok_or_else(|| format!("/{pattern}/ has no group {group}"))
        }
    }
}
