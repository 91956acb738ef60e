//! The `http` probe: renders the request from the plan, sends it through
//! `shipcheck_http` (which records timings and the redirect chain), and keeps evidence.

use std::fmt::Write as _;

use bytes::Bytes;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use shipcheck_http::{ClientOptions, Exchange, Request};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::{Body, template};
use shipcheck_report::{Evidence, FailureClass, HttpTimings, Measurement, REDACTED};

use super::facts::HttpFacts;
use super::spec::HttpProbe;

/// Headers whose values are credentials: never shown, always redacted.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

pub(super) async fn observe(p: &HttpProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let render = |s: &str| cx.render(s);
    let mut url = cx.url(&p.url)?;
    if !p.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in &p.query {
            pairs.append_pair(k, &render(v)?);
        }
    }
    let mut headers = Vec::with_capacity(p.headers.len() + 1);
    let mut sent_secrets = Vec::new();
    for (k, v) in &p.headers {
        let value = render(v)?;
        if CREDENTIAL_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            sent_secrets.push(value.clone());
            if let Some((_scheme, token)) = value.split_once(' ') {
                sent_secrets.push(token.trim().to_owned());
            }
        }
        headers.push((k.clone(), value));
    }
    if let Some(pw) = url.password() {
        sent_secrets.push(pw.to_owned());
    }
    let has =
        |h: &[(String, String)], name: &str| h.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let body = match &p.body {
        None => Bytes::new(),
        Some(Body::Raw(s)) => Bytes::from(render(s)?),
        Some(Body::Json(v)) => {
            let v = template::render_value(v, cx.lookup).map_err(|e| {
                ProbeError::new(
                    FailureClass::Protocol,
                    format!("rendering the request: {e}"),
                )
            })?;
            if !has(&headers, "content-type") {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Bytes::from(v.to_string())
        }
        Some(Body::Form(fields)) => {
            let mut out = String::new();
            for (k, v) in fields {
                if !out.is_empty() {
                    out.push('&');
                }
                let v = render(v)?;
                let _ = write!(
                    out,
                    "{}={}",
                    utf8_percent_encode(k, NON_ALPHANUMERIC),
                    utf8_percent_encode(&v, NON_ALPHANUMERIC)
                );
            }
            if !has(&headers, "content-type") {
                headers.push((
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
            }
            Bytes::from(out)
        }
    };
    let method = http::Method::from_bytes(p.method.as_bytes()).map_err(|e| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("invalid method {}: {e}", p.method),
        )
    })?;
    let extra_ca_pem = crate::probes::read_ca_file(p.ca_file.as_deref())?;
    let request = Request {
        method,
        url,
        headers,
        body,
    };
    let opts = ClientOptions {
        timeout: cx.timeout,
        follow_redirects: p.follow_redirects,
        insecure: p.insecure,
        extra_ca_pem,
        max_body: usize::try_from(p.max_body).unwrap_or(usize::MAX),
    };
    match shipcheck_http::send(&request, &opts).await {
        Ok(exchange) => Ok(Observed {
            sent_secrets: with_exchange_credentials(sent_secrets, &exchange),
            evidence: evidence(&exchange, cx.evidence_cap),
            measurements: measurements(&exchange),
            timings: exchange.hops.last().map(|h| HttpTimings {
                dns: h.timings.dns_ms,
                connect: h.timings.connect_ms,
                tls: h.timings.tls_ms,
                first_byte: h.timings.first_byte_ms,
                total: h.timings.total_ms,
            }),
            facts: Box::new(HttpFacts(exchange)),
            findings: Vec::new(),
        }),
        Err(e) => {
            let mut err = ProbeError::new(e.class(), e.to_string());
            err.evidence.push(Evidence {
                label: "request".into(),
                text: request_text(
                    request.method.as_str(),
                    request.url.as_str(),
                    &request.headers,
                    &request.body,
                    cx.evidence_cap,
                )
                .0,
                truncated: false,
            });
            err.sent_secrets = sent_secrets;
            Err(err)
        }
    }
}

/// Adds the credential material of every hop to what must be redacted: what was sent in
/// `Authorization`/`Cookie` (including cookies a redirect carried) and the values of the
/// cookies the server set.
fn with_exchange_credentials(mut sent: Vec<String>, ex: &Exchange) -> Vec<String> {
    for hop in &ex.hops {
        for (k, v) in &hop.request.headers {
            if ["authorization", "proxy-authorization", "cookie"]
                .iter()
                .any(|h| k.eq_ignore_ascii_case(h))
            {
                sent.push(v.clone());
            }
        }
        for (k, v) in &hop.response.headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((_, value)) = v.split(';').next().and_then(|nv| nv.split_once('='))
            {
                let value = value.trim().trim_matches('"');
                if !value.is_empty() {
                    sent.push(value.to_owned());
                }
            }
        }
    }
    sent
}

fn measurements(ex: &Exchange) -> Vec<Measurement> {
    let Some(hop) = ex.hops.last() else {
        return Vec::new();
    };
    let t = &hop.timings;
    let mut out = Vec::new();
    for (name, v) in [
        ("dns", t.dns_ms),
        ("connect", t.connect_ms),
        ("tls", t.tls_ms),
        ("first_byte", t.first_byte_ms),
        ("total", Some(t.total_ms)),
    ] {
        if let Some(value) = v {
            out.push(Measurement {
                name: name.into(),
                value,
                unit: shipcheck_report::MeasureUnit::Ms,
                target: None,
                met: None,
            });
        }
    }
    out.push(Measurement {
        name: "body_size".into(),
        value: hop.response.body_bytes_read as f64,
        unit: shipcheck_report::MeasureUnit::Bytes,
        target: None,
        met: None,
    });
    if ex.hops.len() > 1 {
        out.push(Measurement {
            name: "redirects".into(),
            value: (ex.hops.len() - 1) as f64,
            unit: shipcheck_report::MeasureUnit::Count,
            target: None,
            met: None,
        });
    }
    out
}

fn header_lines(out: &mut String, headers: &[(String, String)]) {
    for (k, v) in headers {
        let shown = if CREDENTIAL_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            REDACTED
        } else {
            v.as_str()
        };
        let _ = writeln!(out, "{k}: {shown}");
    }
}

fn body_text(out: &mut String, body: &[u8], cap: usize) -> bool {
    if body.is_empty() {
        return false;
    }
    out.push('\n');
    let cut = body.len() > cap;
    out.push_str(&String::from_utf8_lossy(&body[..body.len().min(cap)]));
    if cut {
        let _ = write!(out, "\n… ({} more bytes not shown)", body.len() - cap);
    }
    cut
}

fn request_text(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    cap: usize,
) -> (String, bool) {
    let mut out = format!("{method} {url}\n");
    header_lines(&mut out, headers);
    let cut = body_text(&mut out, body, cap);
    (out, cut)
}

fn evidence(ex: &Exchange, cap: usize) -> Vec<Evidence> {
    let mut out = Vec::new();
    let n = ex.hops.len();
    for (i, hop) in ex.hops.iter().enumerate() {
        let suffix = if n > 1 {
            format!(" (hop {} of {n})", i + 1)
        } else {
            String::new()
        };
        let r = &hop.request;
        let (text, truncated) = request_text(&r.method, &r.url, &r.headers, &r.body, cap);
        out.push(Evidence {
            label: format!("request{suffix}"),
            text,
            truncated,
        });
        let resp = &hop.response;
        let mut text = format!("{} {}\n", resp.version, resp.status);
        header_lines(&mut text, &resp.headers);
        let mut truncated = body_text(&mut text, &resp.body, cap);
        if resp.body_truncated {
            let _ = write!(
                text,
                "\n… (body cut at max_body after {} bytes)",
                resp.body_bytes_read
            );
            truncated = true;
        }
        let t = &hop.timings;
        let ms = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1} ms"));
        let _ = write!(
            text,
            "\n\n[timings] dns {} · connect {} · tls {} · first byte {} · total {:.1} ms",
            ms(t.dns_ms),
            ms(t.connect_ms),
            ms(t.tls_ms),
            ms(t.first_byte_ms),
            t.total_ms
        );
        out.push(Evidence {
            label: format!("response{suffix}"),
            text,
            truncated,
        });
    }
    out
}
