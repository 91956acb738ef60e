//! One module per probe kind; [`observe`] dispatches on the plan's probe.

mod cors;
mod db_net;
mod dns;
mod docs;
mod http;
mod lint;
mod pg_bounded;
mod pg_tls;
mod postgres;
mod prom;
mod redis;
mod sqlite;
mod tcp;
mod tls;
mod webhook;
mod websocket;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use shipcheck_plan::{Probe, template};
use shipcheck_report::FailureClass;

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

impl ProbeContext<'_> {
    /// Renders a `{{ name }}` template of the request; an undefined name is a `protocol` error.
    pub(crate) fn render(&self, s: &str) -> Result<String, ProbeError> {
        template::render_str(s, self.lookup).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("rendering the request: {e}"),
            )
        })
    }

    /// Renders and parses a URL template.
    pub(crate) fn url(&self, url_template: &str) -> Result<url::Url, ProbeError> {
        url::Url::parse(&self.render(url_template)?).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("invalid URL {url_template}: {e}"),
            )
        })
    }
}

/// Largest CA file read (a bundle of every public root is well under 1 MiB).
const MAX_CA_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads an extra trusted CA file (PEM). Only a regular file of at most 4 MiB is read: a
/// FIFO or device would block past every timeout. A file that cannot be used is a
/// `protocol` error naming it (the check could not run; it says nothing of the server).
pub(crate) fn read_ca_file(path: Option<&Path>) -> Result<Option<Vec<u8>>, ProbeError> {
    path.map(|path| {
        shipcheck_plan::read_regular_file(path, MAX_CA_FILE_BYTES).map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("reading CA file {}: {e}", path.display()),
            )
        })
    })
    .transpose()
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
