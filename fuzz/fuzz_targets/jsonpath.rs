//! JSONPath over facts: the first line is the path, the rest a JSON document (or, when it is
//! not JSON, a string); the path goes through the generic assertions and a capture.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path, doc) = text.split_once('\n').unwrap_or((&text, "null"));
    let doc = serde_json::from_str(doc).unwrap_or_else(|_| serde_json::Value::String(doc.into()));
    let _ = shipcheck_probe::fuzzing::json_path(doc, path);
});
