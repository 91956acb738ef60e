//! One module per probe kind; [`observe`] dispatches on the plan's probe.

mod cors;
mod dns;
mod docs;
mod lint;
mod prom;
mod tcp;
mod tls;
mod webhook;
mod websocket;

use std::path::Path;

use shipcheck_plan::Probe;
use shipcheck_plan::kind::Observed;
use shipcheck_report::FailureClass;

use crate::observation::{Observation, ProbeError};

pub use shipcheck_plan::kind::ProbeContext;

/// Reads an extra trusted CA file (PEM); an unreadable file is a `tls` error naming it.
pub(crate) fn read_ca_file(path: Option<&Path>) -> Result<Option<Vec<u8>>, ProbeError> {
    path.map(|path| {
        std::fs::read(path).map_err(|e| {
            ProbeError::new(
                FailureClass::Tls,
                format!("reading CA file {}: {e}", path.display()),
            )
        })
    })
    .transpose()
}

/// Performs one attempt of the probe and returns what it observed.
pub async fn observe(probe: &Probe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let legacy = match probe {
        Probe::Kind(p) => return p.observe(cx).await,
        Probe::Tls(p) => tls::observe(p, cx).await,
        Probe::Tcp(p) => tcp::observe(p, cx).await,
        Probe::Dns(p) => dns::observe(p, cx).await,
        Probe::WebSocket(p) => websocket::observe(p, cx).await,
        Probe::Webhook(p) => webhook::observe(p, cx).await,
        Probe::Metrics(p) => docs::observe(p, docs::Kind::Metrics, cx).await,
        Probe::OpenApi(p) => docs::observe(p, docs::Kind::OpenApi, cx).await,
        Probe::Cors(p) => cors::observe(p, cx).await,
        Probe::Lint(p) => lint::observe(p, cx).await,
    }?;
    Ok(lift(legacy))
}

/// A legacy probe's observation in the registry's shape.
fn lift(o: crate::observation::Observed) -> Observed {
    let findings = match &o.observation {
        Observation::Lint(facts) => facts.findings.clone(),
        _ => Vec::new(),
    };
    Observed {
        facts: Box::new(o.observation),
        evidence: o.evidence,
        measurements: o.measurements,
        sent_secrets: o.sent_secrets,
        timings: None,
        findings,
    }
}
