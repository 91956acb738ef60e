//! Events the runner emits while a plan runs.

use std::time::Duration;

use shipcheck_report::CheckResult;

/// One event, with the time since the run started.
#[derive(Debug, Clone)]
pub struct RunEvent {
    /// Time since the run started.
    pub elapsed: Duration,
    /// What happened.
    pub kind: RunEventKind,
}

/// What happened.
#[derive(Debug, Clone)]
pub enum RunEventKind {
    /// The run started with this many checks.
    PlanStarted {
        /// Number of planned checks.
        total: usize,
    },
    /// A check started its first attempt.
    CheckStarted {
        /// The check's id.
        id: String,
    },
    /// A check attempt did not pass and will be retried.
    CheckRetrying {
        /// The check's id.
        id: String,
        /// The attempt that just ended (1-based).
        attempt: u32,
        /// Why it did not pass.
        note: String,
    },
    /// A check reached its final status (redacted).
    CheckFinished(Box<CheckResult>),
    /// The run was interrupted (Ctrl-C or global timeout).
    PlanCancelled {
        /// Why.
        reason: String,
    },
    /// Every check has a final status.
    PlanFinished,
}
