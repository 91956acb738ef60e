//! The `websocket` kind after the upgrade: the input is what the server sends (frames,
//! fragments, control frames, close frames), read by tungstenite as the probe configures it,
//! collected and written as evidence.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks max_messages (1–16); the largest message is 4 KiB so that the
    // size limit is reachable within the fuzzer's input length.
    let Some((&first, peer)) = data.split_first() else {
        return;
    };
    let max_messages = u32::from(first % 16) + 1;
    let _ = shipcheck_probe::fuzzing::websocket_session(peer, max_messages, 4096);
});
