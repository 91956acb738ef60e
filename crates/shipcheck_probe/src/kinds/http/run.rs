//! The `http` probe: renders the request from the plan, sends it through a
//! `shipcheck_http::Client` (which records timings and the redirect chain), and keeps evidence.

use std::fmt::Write as _;

use bytes::Bytes;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use shipcheck_http::{
    BasicAuth, Client, ClientIdentity, CookieJar, HttpError, Multipart, Request, RequestOptions,
};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::{Body, template};
use shipcheck_report::{MeasureUnit, Evidence, FailureClass, HttpTimings};

use super::evidence::{CREDENTIAL_HEADERS, evidence, measurement, measurements, request_text};
use super::facts::{HttpFacts, Latency};
use super::spec::{HttpProbe, Part};

/// Where the cookie jar of a `needs` chain is kept.
const JAR_KEY: &str = "http.cookies";

pub(super) async fn observe(p: &HttpProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let (request, mut sent_secrets) = build_request(p, cx)?;
    let client = client(p)?;
    let jar = cx.chain.get_or_insert(JAR_KEY, CookieJar::new);
    let basic_auth = match &p.basic_auth {
        Some((user, password)) => {
            let auth = BasicAuth {
                user: cx.render(user)?,
                password: cx.render(password)?,
            };
            sent_secrets.push(auth.password.clone());
            sent_secrets.push(auth.header_value());
            Some(auth)
        }
        None => None,
    };
    let mut opts = RequestOptions {
        timeout: cx.timeout,
        follow_redirects: p.follow_redirects,
        max_body: usize::try_from(p.max_body).unwrap_or(usize::MAX),
        compressed: p.compressed,
        sensitive_values: cx.sensitive.to_vec(),
        basic_auth,
        cookie_jar: Some(CookieJar::clone(&jar)),
    };
    let mut samples = Vec::with_capacity(p.samples as usize);
    let mut last = None;
    // The check's timeout bounds the whole attempt: each sample gets what is left.
    let deadline = std::time::Instant::now() + cx.timeout;
    for n in 1..=p.samples {
        opts.timeout = deadline.saturating_duration_since(std::time::Instant::now());
        match client.send(&request, &opts).await {
            Ok(exchange) => {
                samples.push(exchange.last().map_or(0.0, |h| h.timings.total_ms));
                last = Some(exchange);
            }
            Err(e) => {
                sent_secrets.extend(jar.values());
                return failed(p, &request, cx, e, n, sent_secrets);
            }
        }
    }
    sent_secrets.extend(jar.values());
    let Some(exchange) = last else {
        return Err(ProbeError::new(
            FailureClass::Protocol,
            "no request was sent",
        ));
    };
    let mut measurements = measurements(&exchange);
    let latency = (p.samples > 1).then(|| Latency::of(&samples));
    if let Some(l) = &latency {
        measurements.push(measurement("samples", f64::from(p.samples), MeasureUnit::Count));
        for (name, value) in [("p50", l.p50), ("p95", l.p95), ("max", l.max)] {
            measurements.push(measurement(name, value, MeasureUnit::Ms));
        }
    }
    Ok(Observed {
        evidence: evidence(&exchange, cx.evidence_cap),
        measurements,
        timings: exchange.hops.last().map(|h| HttpTimings {
            dns: h.timings.dns_ms,
            connect: h.timings.connect_ms,
            tls: h.timings.tls_ms,
            first_byte: h.timings.first_byte_ms,
            total: h.timings.total_ms,
        }),
        sent_secrets: with_exchange_credentials(sent_secrets, &exchange),
        facts: Box::new(HttpFacts::new(exchange).with_latency(latency)),
        findings: Vec::new(),
        series: Vec::new(),
        attachments: Vec::new(),
    })
}

/// Adds the credential material of every hop to what must be redacted: what was sent in
/// `Authorization`/`Cookie` (including cookies a redirect carried) and the values of the
/// cookies the server set.
fn with_exchange_credentials(mut sent: Vec<String>, ex: &shipcheck_http::Exchange) -> Vec<String> {
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

/// A request that got no response: an error, or — when the plan expects this error — an
/// observation the `error` expectation reads.
fn failed(
    p: &HttpProbe,
    request: &Request,
    cx: &ProbeContext<'_>,
    e: HttpError,
    sample: u32,
    sent_secrets: Vec<String>,
) -> Result<Observed, ProbeError> {
    let mut message = e.to_string();
    if p.samples > 1 {
        let _ = write!(message, " (sample {sample} of {})", p.samples);
    }
    let attempted = Evidence {
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
    };
    if p.expects_error {
        let mut observed = Observed::new(HttpFacts::error(e.class(), message.clone()));
        observed.evidence.push(attempted);
        observed.evidence.push(Evidence {
            label: "error".into(),
            text: format!("{}: {message}", e.class().as_str()),
            truncated: false,
        });
        observed.sent_secrets = sent_secrets;
        return Ok(observed);
    }
    let mut err = ProbeError::new(e.class(), message);
    err.evidence.push(attempted);
    err.sent_secrets = sent_secrets;
    Err(err)
}

/// The client for this probe: its TLS settings, client certificate and the proxies of the
/// environment.
pub(crate) fn client(p: &HttpProbe) -> Result<Client, ProbeError> {
    client_keeping(p, 0)
}

/// [`client`], keeping up to `keep_alive` idle connections per origin (0: a new connection
/// per request).
pub(crate) fn client_keeping(p: &HttpProbe, keep_alive: usize) -> Result<Client, ProbeError> {
    let identity = match &p.identity {
        Some((cert, key)) => {
            let read = |path: &std::path::Path, what: &str| {
                std::fs::read(path).map_err(|e| {
                    ProbeError::new(
                        FailureClass::Tls,
                        format!("reading client {what} {}: {e}", path.display()),
                    )
                })
            };
            Some(
                ClientIdentity::from_pem(&read(cert, "certificate")?, &read(key, "key")?)
                    .map_err(|e| ProbeError::new(e.class(), e.to_string()))?,
            )
        }
        None => None,
    };
    crate::probes::http_client(p.insecure, p.ca_file.as_deref(), identity, keep_alive)
}

/// The rendered request, and the credential values it carries (for redaction).
pub(crate) fn build_request(
    p: &HttpProbe,
    cx: &ProbeContext<'_>,
) -> Result<(Request, Vec<String>), ProbeError> {
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
    let mut content_type = None;
    let body = match &p.body {
        None if !p.multipart.is_empty() => {
            let (ct, body) = multipart(p, cx)?;
            content_type = Some(ct);
            body
        }
        None => Bytes::new(),
        Some(Body::Raw(s)) => Bytes::from(render(s)?),
        Some(Body::Json(v)) => {
            let v = template::render_value(v, cx.lookup).map_err(|e| {
                ProbeError::new(
                    FailureClass::Protocol,
                    format!("rendering the request: {e}"),
                )
            })?;
            content_type = Some("application/json".to_owned());
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
            content_type = Some("application/x-www-form-urlencoded".to_owned());
            Bytes::from(out)
        }
    };
    if let Some(ct) = content_type
        && !has(&headers, "content-type")
    {
        headers.push(("content-type".into(), ct));
    }
    let method = http::Method::from_bytes(p.method.as_bytes()).map_err(|e| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("invalid method {}: {e}", p.method),
        )
    })?;
    Ok((
        Request {
            method,
            url,
            headers,
            body,
        },
        sent_secrets,
    ))
}

/// The `multipart/form-data` content type and body; files are read now.
fn multipart(p: &HttpProbe, cx: &ProbeContext<'_>) -> Result<(String, Bytes), ProbeError> {
    let mut form = Multipart::new();
    for (name, part) in &p.multipart {
        form = match part {
            Part::Text(t) => form.text(name, &cx.render(t)?),
            Part::File { path, content_type } => {
                let data = std::fs::read(path).map_err(|e| {
                    ProbeError::new(
                        FailureClass::Protocol,
                        format!("reading multipart file {}: {e}", path.display()),
                    )
                })?;
                let file_name = path
                    .file_name()
                    .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
                form.file(name, &file_name, content_type, data)
            }
        };
    }
    Ok(form.encode())
}
