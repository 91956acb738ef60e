//! Exit codes, one table for every command (DESIGN.md §2).

/// Ready (or ready-with-caveats without `--strict`); lint: nothing at or above `--fail-on`.
pub(crate) const OK: i32 = 0;
/// Not ready, interrupted, caveats under `--strict`; lint: findings at or above `--fail-on`.
pub(crate) const FAILED: i32 = 1;
/// Usage, plan or config error; a named path missing or unreadable.
pub(crate) const USAGE: i32 = 2;
/// Internal error.
pub(crate) const INTERNAL: i32 = 3;
