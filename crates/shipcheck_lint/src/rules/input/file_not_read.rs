use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Reports a path met while walking a directory that was not linted: a file that
    /// cannot be read (permissions, a dangling symbolic link), a FIFO, socket or device
    /// (never read, so a walk cannot block on it), a file over the 8 MiB size cap, or the
    /// point where the walk stopped at its bound (100,000 files or 256 MiB of text).
    ///
    /// ## Why is this bad?
    /// A lint that silently skips files claims a directory is clean when part of it was
    /// never checked.
    ///
    /// ## Example
    /// ```text
    /// deploy/
    ///   app.yaml        (mode 000: unreadable)
    ///   db.yaml -> ../shared/db.yaml   (target missing)
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// deploy/
    ///   app.yaml        (readable by the user running shipcheck)
    ///   db.yaml         (a regular file, or a link that resolves)
    /// ```
    pub(crate) struct FileNotRead {
        pub(crate) reason: String,
    }
}

impl Violation for FileNotRead {
    const FAMILY: Family = Family::Input;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("not linted: {}", self.reason)
    }

    fn fix_title(&self) -> Option<String> {
        Some("make the file readable, or exclude it with `.gitignore` or `ignore:` in `.shipcheck.yaml`".into())
    }
}

/// Reported by the engine; nothing to dispatch.
pub(crate) fn check(_ctx: &mut LintContext<'_>, _node: &()) {}
