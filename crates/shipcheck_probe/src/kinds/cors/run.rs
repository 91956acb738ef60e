//! The `cors` probe: two preflights (`OPTIONS` with `Origin`, `Access-Control-Request-Method`
//! and `-Headers`) through `shipcheck_http`, one from the origin that should be allowed and
//! one from an origin that must not be echoed back. The answers are facts; `allowed`,
//! `credentials`, `rejects_other_origins`… are assertions.

use std::fmt::Write as _;
use std::time::Instant;

use shipcheck_http::Request;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::facts::CorsFacts;
use super::spec::CorsProbe;

pub(super) async fn observe(p: &CorsProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let render = |s: &str| cx.render(s);
    let url = cx.url(&p.url)?;
    let client = crate::probes::http_client(p.insecure, p.ca_file.as_deref(), None, 0)?;
    let mut facts = CorsFacts {
        url: url.to_string(),
        origin: render(&p.origin)?,
        method: p.method.clone(),
        headers: p.headers.clone(),
        disallowed_origin: render(&p.disallowed_origin)?,
        ..CorsFacts::default()
    };
    let mut evidence = String::new();
    for (i, origin) in [facts.origin.clone(), facts.disallowed_origin.clone()]
        .into_iter()
        .enumerate()
    {
        let mut headers = vec![
            ("origin".to_owned(), origin.clone()),
            ("access-control-request-method".to_owned(), p.method.clone()),
        ];
        if !p.headers.is_empty() {
            headers.push((
                "access-control-request-headers".to_owned(),
                p.headers.join(", "),
            ));
        }
        let request = Request {
            method: http::Method::OPTIONS,
            headers,
            ..Request::get(url.clone())
        };
        let opts = crate::probes::request_options(
            cx,
            cx.timeout.saturating_sub(start.elapsed()),
            64 * 1024,
        );
        let ex = client
            .send(&request, &opts)
            .await
            .map_err(|e| ProbeError::new(e.class(), format!("preflight from {origin}: {e}")))?;
        let Some(hop) = ex.last() else {
            return Err(ProbeError::new(FailureClass::Protocol, "no response"));
        };
        let allow: Vec<(String, String)> = hop
            .response
            .headers
            .iter()
            .filter(|(k, _)| k.starts_with("access-control-"))
            .cloned()
            .collect();
        let _ = writeln!(
            evidence,
            "OPTIONS {url} (Origin: {origin}) → {}",
            hop.response.status
        );
        for (k, v) in &allow {
            let _ = writeln!(evidence, "  {k}: {v}");
        }
        if i == 0 {
            facts.status = hop.response.status;
            facts.allow = allow;
        } else {
            facts.disallowed_allow_origin = allow
                .iter()
                .find(|(k, _)| k == "access-control-allow-origin")
                .map(|(_, v)| v.clone());
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(Observed {
        evidence: vec![Evidence {
            label: "cors".into(),
            text: evidence,
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
        sent_secrets: Vec::new(),
        timings: None,
        findings: Vec::new(),
        series: Vec::new(),
        attachments: Vec::new(),
    })
}
