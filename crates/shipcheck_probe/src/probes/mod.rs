//! What several kinds share to run: reading an extra CA file, and running a parsed probe.

use std::path::Path;

use shipcheck_plan::kind::{Observed, Probe, ProbeContext, ProbeError};
use shipcheck_report::FailureClass;

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
pub async fn observe(probe: &dyn Probe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    probe.observe(cx).await
}
