//! The secret scanner `lint` uses on every text it reads.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = shipcheck_lint::secrets_in_text(text);
});
