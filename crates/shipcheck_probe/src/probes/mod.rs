//! One module per probe kind; [`observe`] dispatches on the plan's probe.

mod cors;
mod db_net;
mod dns;
mod docs;
mod http;
mod lint;
mod pg_tls;
mod postgres;
mod prom;
mod redis;
mod sqlite;
mod tcp;
mod tls;
mod webhook;
mod websocket;

use std::time::Duration;

use serde_json::Value;
use shipcheck_plan::Probe;

use crate::observation::{Observed, ProbeError};

/// What the runner hands a probe for one attempt.
pub struct ProbeContext<'a> {
    /// Bound on the attempt.
    pub timeout: Duration,
    /// Resolves `{{ name }}` (plan vars and captures of needed checks).
    pub lookup: &'a (dyn Fn(&str) -> Option<Value> + Sync),
    /// Keep at most this many bytes of each body as evidence.
    pub evidence_cap: usize,
}

/// Performs one attempt of the probe and returns what it observed.
pub async fn observe(probe: &Probe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    match probe {
        Probe::Http(p) => http::observe(p, cx).await,
        Probe::Sqlite(p) => sqlite::observe(p, cx).await,
        Probe::Postgres(p) => postgres::observe(p, cx).await,
        Probe::Redis(p) => redis::observe(p, cx).await,
        Probe::Tls(p) => tls::observe(p, cx).await,
        Probe::Tcp(p) => tcp::observe(p, cx).await,
        Probe::Dns(p) => dns::observe(p, cx).await,
        Probe::WebSocket(p) => websocket::observe(p, cx).await,
        Probe::Webhook(p) => webhook::observe(p, cx).await,
        Probe::Metrics(p) => docs::observe(p, docs::Kind::Metrics, cx).await,
        Probe::OpenApi(p) => docs::observe(p, docs::Kind::OpenApi, cx).await,
        Probe::Cors(p) => cors::observe(p, cx).await,
        Probe::Lint(p) => lint::observe(p, cx).await,
    }
}
