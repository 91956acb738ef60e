//! The Helm release decoder (`shipcheck_helm`): the first byte picks the layer fed with the
//! rest — Helm's payload (base64, gzip, JSON), the release JSON alone, or a list of storage
//! objects (Secrets or ConfigMaps, with the API's base64) read as one release history.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use shipcheck_helm::{Driver, History, Limits, decode_release_bytes, decode_release_json};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    // Small caps, so that a decompression bomb is refused rather than filling memory.
    let limits = Limits {
        max_encoded: 1 << 20,
        max_decompressed: 4 << 20,
    };
    match mode % 4 {
        0 => {
            let _ = decode_release_bytes(rest, &limits).map(|r| format!("{r:?}"));
        }
        1 => {
            let _ = decode_release_json(rest).map(|r| format!("{r:?}"));
        }
        m => {
            // A list of objects, or a `kubectl get -o json` list with `items`.
            let items = match serde_json::from_slice(rest) {
                Ok(Value::Array(items)) => items,
                Ok(Value::Object(mut list)) => match list.remove("items") {
                    Some(Value::Array(items)) => items,
                    _ => return,
                },
                _ => return,
            };
            let driver = if m == 2 {
                Driver::Secret
            } else {
                Driver::ConfigMap
            };
            let history = History::from_objects(&items, "app", driver, &limits);
            let _ = (
                history.current(),
                history.revision(1),
                history.earlier().len(),
            );
            let _ = format!("{history:?}");
        }
    }
});
