//! The whole lint engine on one input read from standard input: kind detection, parsing,
//! every rule, suppressions and secret masking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck_lint::{LintOptions, lint_stdin_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(outcome) = lint_stdin_text(text.to_owned(), &LintOptions::default()) {
        let _ = (outcome.max_severity(), format!("{:?}", outcome.findings));
    }
});
