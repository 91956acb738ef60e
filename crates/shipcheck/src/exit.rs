//! Exit codes, one table for every command (DESIGN.md §2), and the stdout discipline that
//! goes with them: a closed pipe (`shipcheck … | head -1`) is exit 0, never a panic or 3.

use std::io::{self, Write as _};

/// Ready (or ready-with-caveats without `--strict`); lint: nothing at or above `--fail-on`;
/// also any command whose standard output was closed early (broken pipe).
pub(crate) const OK: i32 = 0;
/// Not ready, interrupted, caveats under `--strict`; lint: findings at or above `--fail-on`.
pub(crate) const FAILED: i32 = 1;
/// Usage, plan or config error; a named path missing or unreadable; an unwritable
/// `--output` path.
pub(crate) const USAGE: i32 = 2;
/// Internal error.
pub(crate) const INTERNAL: i32 = 3;

/// Whether standard output took everything, or its reader went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stdout {
    /// Everything was written and flushed.
    Written,
    /// The reader closed the pipe; the command should exit [`OK`].
    Closed,
}

/// Writes `bytes` to standard output and flushes. A broken pipe is [`Stdout::Closed`], not
/// an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> io::Result<Stdout> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(Stdout::Written),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Stdout::Closed),
        Err(e) => Err(e),
    }
}

/// Whether `err` was caused by a broken pipe anywhere in its chain.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
