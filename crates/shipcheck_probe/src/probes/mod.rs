//! What several kinds share to run: reading an extra CA file, the HTTP client the HTTP-based
//! kinds send with, and running a parsed probe.

use std::path::Path;

use shipcheck_plan::kind::{Observed, Probe, ProbeContext, ProbeError};
use shipcheck_report::FailureClass;

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

/// The client an HTTP-based kind sends with: verification as the plan says, its extra CA, and
/// the proxies of the environment (`https_proxy`/`HTTPS_PROXY`, `http_proxy`,
/// `no_proxy`/`NO_PROXY`), as curl reads them.
pub(crate) fn http_client(
    insecure: bool,
    ca_file: Option<&Path>,
    identity: Option<shipcheck_http::ClientIdentity>,
    keep_alive: usize,
) -> Result<shipcheck_http::Client, ProbeError> {
    let mut builder = shipcheck_http::Client::builder()
        .insecure(insecure)
        .keep_alive(keep_alive);
    if let Some(pem) = read_ca_file(ca_file)? {
        builder = builder.extra_ca_pem(pem);
    }
    if let Some(identity) = identity {
        builder = builder.client_identity(identity);
    }
    let proxy = shipcheck_http::ProxyConfig::from_env().map_err(|e| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("reading the proxy settings: {e}"),
        )
    })?;
    builder
        .proxy(proxy)
        .build()
        .map_err(|e| ProbeError::new(e.class(), e.to_string()))
}

/// Request options bounded by `timeout` and `max_body`, keeping the run's sensitive values
/// from other origins.
pub(crate) fn request_options(
    cx: &ProbeContext<'_>,
    timeout: std::time::Duration,
    max_body: usize,
) -> shipcheck_http::RequestOptions {
    shipcheck_http::RequestOptions {
        timeout,
        max_body,
        sensitive_values: cx.sensitive.to_vec(),
        ..shipcheck_http::RequestOptions::default()
    }
}

/// Performs one attempt of the probe and returns what it observed.
pub async fn observe(probe: &dyn Probe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    probe.observe(cx).await
}
