//! Issue 16 (parts 2–5): the real `shipcheck` binary against servers that misbehave on
//! purpose, hostile files, planted secrets and plans under load — each case measured (wall
//! time, peak RSS of the process) and bounded. Each case prints one table row (`| … |`) on
//! stdout; `docs/hardening.md` collects them from one `--nocapture` run.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod audit;
mod faults;
mod faults_net;
mod hostile;
mod limits;
mod run;
mod secrets;

use shipcheck_test_support::measure;

/// Whether GNU time is here to measure peak RSS; says why not (and fails under CI) when not.
fn can_measure() -> bool {
    if measure::available() {
        return true;
    }
    shipcheck_test_support::skip_or_fail("GNU time (/usr/bin/time, apt package `time`)");
    false
}
