//! The `tcp` probe: is the port open? A refusal or silence is a fact (`open: false`), not an
//! error; only a name that does not resolve is (class `dns`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::facts::TcpFacts;
use super::spec::TcpProbe;

/// At most this many resolved addresses are tried.
const MAX_ADDRS: usize = 8;

/// One attempt: each resolved address in turn until one accepts.
pub(super) async fn observe(p: &TcpProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let text = template::render_str(&p.host, cx.lookup)
        .map_err(|e| ProbeError::new(FailureClass::Protocol, format!("rendering: {e}")))?;
    let (host, port) = split(&text, p.port)?;
    // Leave a margin inside the runner's bound so silence is reported as a closed port.
    let budget = cx
        .timeout
        .saturating_sub(Duration::from_millis(100))
        .max(Duration::from_millis(50));
    let addrs: Vec<SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(budget, tokio::net::lookup_host((host.as_str(), port)))
            .await
            .map_err(|_| {
                ProbeError::new(FailureClass::Timeout, format!("resolving {host} timed out"))
            })?
            .map_err(|e| ProbeError::new(FailureClass::Dns, format!("resolving {host}: {e}")))?
            .take(MAX_ADDRS)
            .collect(),
    };
    let mut facts = TcpFacts {
        target: format!("{host}:{port}"),
        ..TcpFacts::default()
    };
    let deadline = start + budget;
    for addr in &addrs {
        facts.address = Some(addr.to_string());
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_stream)) => {
                facts.open = true;
                facts.reason = None;
                break;
            }
            Ok(Err(e)) => facts.reason = Some(format!("{addr}: {}", e.to_string().to_lowercase())),
            Err(_) => {
                facts.reason = Some(format!(
                    "{addr}: no answer within {} ms",
                    budget.as_millis()
                ));
                break;
            }
        }
    }
    if addrs.is_empty() {
        return Err(ProbeError::new(
            FailureClass::Dns,
            format!("{host} has no addresses"),
        ));
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let text = match &facts.reason {
        None => format!(
            "{}: open ({})",
            facts.target,
            facts.address.as_deref().unwrap_or("?")
        ),
        Some(r) => format!("{}: not open ({r})", facts.target),
    };
    Ok(Observed {
        evidence: vec![Evidence {
            label: "tcp".into(),
            text,
            truncated: false,
        }],
        measurements: vec![Measurement {
            name: "connect".into(),
            value: facts.duration_ms,
            unit: shipcheck_report::MeasureUnit::Ms,
            target: None,
            met: None,
        }],
        ..Observed::new(facts)
    })
}

/// `HOST:PORT` (or `[V6]:PORT`), or `HOST` with `port`.
fn split(text: &str, port: Option<u16>) -> Result<(String, u16), ProbeError> {
    if text.contains("://") {
        let url = url::Url::parse(text).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("invalid tcp target `{text}`: {e}"),
            )
        })?;
        let host = url.host_str().unwrap_or_default();
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port_or_known_default().or(port).unwrap_or(0);
        if host.is_empty() || port == 0 {
            return Err(ProbeError::new(
                FailureClass::Protocol,
                format!("invalid tcp target `{text}`: needs a host and a port"),
            ));
        }
        return Ok((host, port));
    }
    let bad = |why: &str| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("invalid tcp target `{text}`: {why}"),
        )
    };
    let (host, in_text) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => (
            h,
            Some(
                p.parse::<u16>()
                    .map_err(|_| bad("the port is not a number"))?,
            ),
        ),
        _ => (text, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = in_text.or(port).ok_or_else(|| bad("no port"))?;
    if host.is_empty() || port == 0 {
        return Err(bad("needs a host and a port"));
    }
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_host_and_port() {
        let s = |t: &str, p| split(t, p).map_err(|e| e.message);
        assert_eq!(s("db:5432", None), Ok(("db".into(), 5432)));
        assert_eq!(s("db", Some(6379)), Ok(("db".into(), 6379)));
        assert_eq!(s("[::1]:80", None), Ok(("::1".into(), 80)));
        assert!(s("db", None).is_err());
        assert!(s("db:x", None).is_err());
        assert_eq!(
            s("http://127.0.0.1:8080/x", None),
            Ok(("127.0.0.1".into(), 8080))
        );
        assert_eq!(s("https://h", None), Ok(("h".into(), 443)));
    }
}
