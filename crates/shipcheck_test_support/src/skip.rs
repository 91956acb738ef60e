//! Skipping a test whose prerequisite is absent, except under CI.

/// Says the calling test is skipped because `what` is not available — except under
/// `CI=true`, where it panics: there a missing install step must fail loudly.
///
/// The caller returns right after (this function only reports).
pub fn skip_or_fail(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required under CI=true (the install step is missing)");
    }
    eprintln!("SKIPPED: {what} is not available on this machine");
}
