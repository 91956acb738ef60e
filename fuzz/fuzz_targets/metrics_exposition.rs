//! The Prometheus text / OpenMetrics parser of the `metrics` kind: the first line is a
//! series selector, the rest the exposition; the selector is then applied to the samples.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (selector, exposition) = text.split_once('\n').unwrap_or(("up", &text));
    let _ = shipcheck_probe::fuzzing::metrics_exposition(exposition, selector);
});
