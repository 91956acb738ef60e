//! The plan loader: any text as a plan file, checked against the real kind registry, with
//! an environment that defines a few variables (so `${…}` expansion runs too).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let env = |name: &str| match name {
        "API" => Some("http://127.0.0.1:9".to_owned()),
        "TOKEN" => Some("s3cr3t-token".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    // A base directory that does not exist: kinds that name files resolve them under it.
    let path = Path::new("/nonexistent-shipcheck-fuzz/plan.yaml");
    match shipcheck_plan::load_str(src, path, &env, shipcheck_probe::KINDS) {
        Ok(plan) => {
            let _ = format!("{plan:?}");
        }
        Err(errors) => {
            // Rendering the errors draws code frames from positions in `src`.
            let _ = errors.to_string();
        }
    }
});
