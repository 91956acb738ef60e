//! The `tls` kind's certificate facts: the input is one DER certificate as a peer sent it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shipcheck_probe::fuzzing::tls_certificate(data);
});
