//! The `tls` probe: one handshake through `shipcheck_http::open` (certificate problems are
//! recorded, not fatal, so the check can *fail* saying which), the chain as sent parsed with
//! x509-parser, and for each protocol version a hand-built ClientHello asking whether the
//! server accepts it. It judges nothing: `valid`, `expires_in`, `accepts`… are assertions.

use std::fmt::Write as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shipcheck_http::{HttpError, OpenOptions, TlsProblem};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::{CertFacts, TlsFacts};
use super::spec::{TLS_VERSIONS, TlsProbe};
use super::{cert, hello};

/// At most this many certificates of a chain are parsed.
const MAX_CHAIN: usize = 10;

/// One attempt: the handshake, the chain, and the version questions.
pub(super) async fn observe(p: &TlsProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let render = |s: &str| {
        template::render_str(s, cx.lookup)
            .map_err(|e| ProbeError::new(FailureClass::Protocol, format!("rendering: {e}")))
    };
    let (host, port) = target(&render(&p.host)?, p.port)?;
    let sni = p.sni.as_deref().map(render).transpose()?;
    let extra_ca_pem = crate::probes::read_ca_file(p.ca_file.as_deref())?;
    let opts = OpenOptions {
        timeout: cx.timeout,
        tls: true,
        server_name: sni.clone(),
        alpn: p.alpn.clone(),
        insecure: true,
        extra_ca_pem,
    };
    let server_name = sni.unwrap_or_else(|| host.clone());
    // A handshake refused for a protocol reason (no common version or cipher) is a fact about
    // the server, like a bad certificate: the check fails on it, and `accepts` still answers.
    let (remote, session) = match shipcheck_http::open(&host, port, &opts).await {
        Ok(conn) => {
            let Some(info) = conn.tls else {
                return Err(ProbeError::new(
                    FailureClass::Tls,
                    format!("no TLS session with {host}:{port}"),
                ));
            };
            (conn.remote, Ok((info, conn.timings)))
        }
        // The server hung up mid-handshake: nothing was negotiated or refused, so there is
        // no fact to assert on; the check could not run (as in `http`).
        Err(HttpError::Tls {
            problem: TlsProblem::ConnectionLost(why),
            ..
        }) => {
            return Err(ProbeError::new(
                FailureClass::Tls,
                format!("{host}:{port} closed the connection during the TLS handshake ({why})"),
            ));
        }
        Err(HttpError::Tls {
            problem: TlsProblem::Handshake(why),
            ..
        }) => (resolve(&host, port).await?, Err(why)),
        Err(e) => return Err(ProbeError::new(e.class(), e.to_string())),
    };
    let (info, timings, handshake_problem) = match session {
        Ok((info, timings)) => (info, timings, None),
        Err(why) => (
            shipcheck_http::TlsInfo {
                protocol: "none".into(),
                cipher_suite: String::new(),
                alpn: None,
                peer_certificates: Vec::new(),
                verify_error: None,
                verify_problem: None,
            },
            shipcheck_http::Timings::default(),
            Some(format!("handshake failed: {why}")),
        ),
    };
    let handshake_ms = timings.tls_ms.unwrap_or_default();
    let chain: Vec<CertFacts> = info
        .peer_certificates
        .iter()
        .take(MAX_CHAIN)
        .map(|der| cert::facts(der))
        .collect::<Result<_, _>>()
        .map_err(|e| {
            ProbeError::new(
                FailureClass::Tls,
                format!("{host}:{port} sent a certificate that cannot be read: {e}"),
            )
        })?;
    let problem = info
        .verify_problem
        .as_ref()
        .map(|pr| describe(pr, &chain, &server_name))
        .or(handshake_problem);

    // Each version is asked on its own connection, all at once, within what is left.
    let left = cx.timeout.saturating_sub(start.elapsed());
    let left = left.max(Duration::from_millis(100));
    let sni_ref = Some(server_name.as_str());
    let ask = |name: &str| {
        let code = hello::wire(name).unwrap_or(0x0303);
        hello::accepts(remote, sni_ref, code, left)
    };
    let (v10, v11, v12, v13) = tokio::join!(
        ask("TLSv1.0"),
        ask("TLSv1.1"),
        ask("TLSv1.2"),
        ask("TLSv1.3")
    );
    let mut facts = TlsFacts {
        target: format!("{host}:{port}"),
        server_name,
        version: info.protocol,
        cipher: info.cipher_suite,
        alpn: info.alpn,
        chain,
        problem,
        handshake_ms,
        ..TlsFacts::default()
    };
    let mut refusals = Vec::new();
    for ((name, _), answer) in TLS_VERSIONS.iter().zip([v10, v11, v12, v13]) {
        let entry = match answer {
            Ok(Ok(())) => Ok(true),
            Ok(Err(why)) => {
                refusals.push(format!("{name}: {why}"));
                Ok(false)
            }
            Err(e) => Err(e),
        };
        facts.accepts.insert((*name).to_owned(), entry);
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let evidence = vec![evidence(&facts, &refusals)];
    let measurements = measurements(&facts, timings);
    let mut observed = Observed::new(facts);
    observed.evidence = evidence;
    observed.measurements = measurements;
    Ok(observed)
}

/// The first address of `host` (for the version questions after a refused handshake).
async fn resolve(host: &str, port: u16) -> Result<std::net::SocketAddr, ProbeError> {
    let dns = |why: String| ProbeError::new(FailureClass::Dns, format!("resolving {host}: {why}"));
    tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| dns(e.to_string()))?
        .next()
        .ok_or_else(|| dns("no addresses".into()))
}

/// `HOST`, `HOST:PORT`, `[V6]:PORT` or a URL → host and port (443 by default).
fn target(text: &str, port: Option<u16>) -> Result<(String, u16), ProbeError> {
    let bad = |why: &str| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("invalid tls target `{text}`: {why}"),
        )
    };
    if text.contains("://") {
        let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
        let host = url.host_str().ok_or_else(|| bad("no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = url.port().or(port).unwrap_or(443);
        return Ok((host, port));
    }
    let (host, in_text) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
            let p: u16 = p.parse().map_err(|_| bad("the port is not a number"))?;
            (h, Some(p))
        }
        _ => (text, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok((host.to_owned(), in_text.or(port).unwrap_or(443)))
}

/// Says which certificate problem it is, in the words people act on.
fn describe(problem: &TlsProblem, chain: &[CertFacts], server_name: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let leaf = chain.first();
    match problem {
        TlsProblem::Expired => match chain.iter().find(|c| c.not_after_unix < now) {
            Some(c) => format!("expired: {} expired on {}", c.subject, c.not_after),
            None => "expired".into(),
        },
        TlsProblem::NotYetValid => match leaf {
            Some(c) => format!(
                "not yet valid: {} is valid from {}",
                c.subject, c.not_before
            ),
            None => "not yet valid".into(),
        },
        TlsProblem::NotValidForName { .. } => format!(
            "wrong host: the certificate does not cover {server_name} (names: {})",
            leaf.map(|c| c.sans.join(", ")).unwrap_or_default()
        ),
        TlsProblem::UnknownIssuer => match leaf {
            Some(c) if c.self_signed && chain.len() == 1 => {
                format!(
                    "self-signed: {} is signed by itself, not by a trusted CA",
                    c.subject
                )
            }
            Some(c) => format!("untrusted issuer: {} is not a trusted CA", c.issuer),
            None => "untrusted issuer".into(),
        },
        other => other.to_string(),
    }
}

fn measurements(f: &TlsFacts, t: shipcheck_http::Timings) -> Vec<Measurement> {
    let mut out = Vec::new();
    let mut push = |name: &str, value: f64, unit: MeasureUnit| {
        out.push(Measurement::new(name, value, unit));
    };
    if let Some(d) = t.dns_ms {
        push("dns", d, MeasureUnit::Ms);
    }
    if let Some(c) = t.connect_ms {
        push("connect", c, MeasureUnit::Ms);
    }
    push("tls", f.handshake_ms, MeasureUnit::Ms);
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i128);
    if let Some((ms, _)) = f.expires_in_ms(now_ms) {
        push("expires_in", ms / 86_400_000.0, MeasureUnit::Days);
    }
    out
}

fn evidence(f: &TlsFacts, refusals: &[String]) -> Evidence {
    let mut text = format!(
        "{} (server name {}): {} {} alpn {}\n",
        f.target,
        f.server_name,
        f.version,
        f.cipher,
        f.alpn.as_deref().unwrap_or("none")
    );
    let _ = writeln!(
        text,
        "verification: {}",
        f.problem.as_deref().unwrap_or("ok")
    );
    for (i, c) in f.chain.iter().enumerate() {
        let _ = writeln!(
            text,
            "[{i}] subject {}\n    issuer {}\n    names {}\n    valid {} .. {}\n    key {} {} bits, signed {}",
            c.subject,
            c.issuer,
            c.sans.join(", "),
            c.not_before,
            c.not_after,
            c.key_type,
            c.key_bits,
            c.signature_algorithm
        );
    }
    let accepts: Vec<String> = f
        .accepts
        .iter()
        .map(|(k, v)| match v {
            Ok(true) => format!("{k} yes"),
            Ok(false) => format!("{k} no"),
            Err(e) => format!("{k} unknown ({e})"),
        })
        .collect();
    let _ = writeln!(text, "accepts: {}", accepts.join(", "));
    for r in refusals {
        let _ = writeln!(text, "  refused {r}");
    }
    Evidence {
        label: "tls".into(),
        text,
        truncated: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_take_host_port_and_urls() {
        let t = |s: &str, p| target(s, p).map_err(|e| e.message);
        assert_eq!(t("example.com", None), Ok(("example.com".into(), 443)));
        assert_eq!(
            t("example.com", Some(8443)),
            Ok(("example.com".into(), 8443))
        );
        assert_eq!(t("127.0.0.1:9443", Some(1)), Ok(("127.0.0.1".into(), 9443)));
        assert_eq!(
            t("https://localhost:1234/x", None),
            Ok(("localhost".into(), 1234))
        );
        assert_eq!(t("https://localhost", None), Ok(("localhost".into(), 443)));
        assert_eq!(t("[::1]:8443", None), Ok(("::1".into(), 8443)));
        assert!(t("host:abc", None).is_err());
    }
}
