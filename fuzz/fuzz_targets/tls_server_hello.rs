//! The `tls` kind's version probe: the input is the server's answer to a ClientHello (the
//! first byte picks the version offered, TLS 1.0–1.3); its first record is interpreted.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, peer)) = data.split_first() else {
        return;
    };
    let version = 0x0301 + u16::from(first % 4);
    let _ = shipcheck_probe::fuzzing::tls_server_hello(peer, version);
});
