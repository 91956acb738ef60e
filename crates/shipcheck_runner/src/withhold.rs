//! What a finished-check event may show while a check that captures a `secret: true`
//! value has not finished yet. Such a value is only known to the redactor once it is
//! captured; anything the server sent that is shown before then (a failed assertion's
//! actual value, the evidence) could be that value, raw, on the terminal. Until the last
//! secret capture is known, events carry only what the plan wrote; the report, redacted
//! at the end with every secret, keeps everything.

use shipcheck_plan::Check;
use shipcheck_report::{CheckResult, Status};

/// Shown instead of server data withheld from a progress event.
const WITHHELD: &str = "[withheld until the run ends]";

/// True when `check` captures a value marked `secret: true`.
pub(crate) fn captures_secret(check: &Check) -> bool {
    check.capture.iter().any(|c| c.secret)
}

/// `r` without the server data it holds: actual values, evidence, non-secret capture
/// values and the failure summaries that quote an actual value.
pub(crate) fn without_server_data(mut r: CheckResult) -> CheckResult {
    for a in &mut r.assertions {
        a.actual = WITHHELD.to_owned();
    }
    if r.status == Status::Failed
        && let Some(a) = r.assertions.iter().find(|a| !a.passed)
    {
        let summary = format!("{}: expected {} {}", a.subject, a.predicate, a.expected);
        if let Some(e) = &mut r.error {
            e.message.clone_from(&summary);
        }
        r.reason = Some(summary);
    }
    for attempt in &mut r.attempts {
        if attempt.status == Status::Failed {
            attempt.note = None;
        }
    }
    for c in &mut r.captures {
        c.value = WITHHELD.to_owned();
    }
    r.evidence.clear();
    r.attachments.clear();
    r
}
