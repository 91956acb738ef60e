//! What several kinds share to run: reading an extra CA file, and running a parsed probe.

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

/// Performs one attempt of the probe and returns what it observed.
pub async fn observe(probe: &dyn Probe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    probe.observe(cx).await
}
