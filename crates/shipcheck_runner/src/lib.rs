//! Runs a plan: the scheduler of shipcheck.
//!
//! Checks run as a dependency graph; independent checks run concurrently up to a bound.
//! A check whose dependency did not pass is `not-run` with the reason. Each attempt is
//! bounded by the check's timeout, retries and polling by their own limits, and the whole
//! run by a global timeout; cancellation (Ctrl-C) stops cleanly and still yields results.
//!
//! A plan's `setup` steps run before the checks (a failed step makes every check `not-run`)
//! and its `teardown` steps after them, always: after failures, cancellation and the global
//! timeout; background processes are stopped as process groups and temporary directories
//! removed.
//!
//! The runner emits [`RunEvent`]s to a callback and knows nothing about output: the
//! terminal progress and the report aggregator are consumers. Secrets are redacted from
//! everything it emits.
//!
//! ```text
//!   plan ──▶ dispatcher (select!: finished checks · cancel · global deadline)
//!               │  spawns ready checks (≤ concurrency) into a JoinSet
//!               ▼
//!            check task: attempt loop (probe → evaluate → capture), retry / until
//!               │  events over an mpsc channel
//!               ▼
//!            on_event(RunEvent)  ── terminal progress, report aggregator
//! ```

mod check;
mod events;
mod lifecycle;
mod ready;
mod scheduler;
mod withhold;

pub use events::{RunEvent, RunEventKind};
pub use scheduler::{Cancel, DEFAULT_CONCURRENCY, RunOptions, RunOutcome, execute};
