//! The `webhook` probe: the body signed with HMAC-SHA256 (`ring::hmac`) as the plan's
//! signing string and header templates say (GitHub and Stripe presets), delivered twice —
//! once as signed, once with the body changed after signing. Which statuses are right is up
//! to the expectations (`accepted`, `rejected`); the secret is reported as a sent secret so
//! it is redacted everywhere.

use std::fmt::Write as _;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ring::hmac;
use shipcheck_http::Request;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::{Body, template};
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::facts::{Delivery, WebhookFacts};
use super::spec::WebhookProbe;

/// Response bodies kept per delivery.
const MAX_BODY: usize = 64 * 1024;

fn protocol(msg: String) -> ProbeError {
    ProbeError::new(FailureClass::Protocol, msg)
}

/// Lower-case hex HMAC-SHA256 of `message`.
pub(super) fn sign(secret: &[u8], message: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::sign(&key, message)
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(super) async fn observe(
    p: &WebhookProbe,
    cx: &ProbeContext<'_>,
) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let render = |s: &str| {
        template::render_str(s, cx.lookup).map_err(|e| protocol(format!("rendering: {e}")))
    };
    let secrets = vec![p.secret.clone()];
    let with_secrets = |mut e: ProbeError| {
        e.sent_secrets = secrets.clone();
        e
    };
    let url = url::Url::parse(&render(&p.url)?)
        .map_err(|e| with_secrets(protocol(format!("invalid URL {}: {e}", p.url))))?;
    let (body, content_type) = match &p.body {
        Body::Json(v) => (
            template::render_value(v, cx.lookup)
                .map_err(|e| protocol(format!("rendering: {e}")))?
                .to_string(),
            "application/json",
        ),
        Body::Raw(s) => (render(s)?, "text/plain"),
        Body::Form(_) => return Err(protocol("a webhook body is `json` or `body`".into())),
    };
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .to_string();
    let signing = p
        .signing_string
        .replace("{timestamp}", &timestamp)
        .replace("{body}", &body);
    let signature = sign(p.secret.as_bytes(), signing.as_bytes());
    let header_value = p
        .signature
        .replace("{timestamp}", &timestamp)
        .replace("{signature}", &signature);
    let mut headers = vec![("content-type".to_owned(), content_type.to_owned())];
    for (k, v) in &p.headers {
        headers.push((k.clone(), render(v)?));
    }
    headers.push((p.header.clone(), header_value.clone()));
    let client =
        crate::probes::http_client(p.insecure, p.ca_file.as_deref(), None, 0).map_err(with_secrets)?;
    // A body that no longer matches the signature: one byte more at the end.
    let tampered = format!("{body} ");
    let mut facts = WebhookFacts {
        url: url.to_string(),
        ..WebhookFacts::default()
    };
    for (which, sent_body) in [(0, body), (1, tampered)] {
        if (which == 0 && !p.send_signed) || (which == 1 && !p.send_tampered) {
            continue;
        }
        let left = cx.timeout.saturating_sub(start.elapsed());
        let request = Request {
            method: http::Method::POST,
            url: url.clone(),
            headers: headers.clone(),
            body: Bytes::from(sent_body),
        };
        let opts = crate::probes::request_options(cx, left, MAX_BODY);
        let label = if which == 0 { "signed" } else { "tampered" };
        let exchange = client.send(&request, &opts).await.map_err(|e| {
            with_secrets(ProbeError::new(e.class(), format!("{label} delivery: {e}")))
        })?;
        let Some(hop) = exchange.last() else {
            return Err(with_secrets(protocol(format!(
                "{label} delivery: no response"
            ))));
        };
        let resp = &hop.response;
        let shown = &resp.body[..resp.body.len().min(cx.evidence_cap)];
        let delivery = Delivery {
            status: resp.status,
            signature: header_value.clone(),
            // A cut body ends with the cut marker, so the redactor also masks a secret's
            // prefix left at the cut (issue 18.3).
            transcript: format!(
                "POST {url} ({label}, {}: {header_value})\n→ {} {}{}",
                p.header,
                resp.status,
                String::from_utf8_lossy(shown),
                if shown.len() < resp.body.len() {
                    "… (cut)"
                } else {
                    ""
                }
            ),
        };
        if which == 0 {
            facts.accepted = Some(delivery);
        } else {
            facts.rejected = Some(delivery);
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(Observed {
        evidence: vec![Evidence {
            label: "webhook".into(),
            text: [&facts.accepted, &facts.rejected]
                .iter()
                .filter_map(|d| d.as_ref().map(|d| d.transcript.as_str()))
                .collect::<Vec<_>>()
                .join("\n\n"),
            truncated: false,
        }],
        measurements: vec![Measurement {
            name: "total".into(),
            value: facts.duration_ms,
            unit: shipcheck_report::MeasureUnit::Ms,
            target: None,
            met: None,
        }],
        facts: Box::new(facts),
        sent_secrets: secrets,
        timings: None,
        findings: Vec::new(),
        series: Vec::new(),
        attachments: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
