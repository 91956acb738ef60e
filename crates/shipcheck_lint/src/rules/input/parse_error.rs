use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Reports a file that does not parse: invalid YAML (including an alias bomb), an
    /// unknown Dockerfile instruction or unterminated heredoc, or a malformed `.env` line.
    ///
    /// ## Why is this bad?
    /// A file that does not parse cannot be applied, built or loaded, and none of the other
    /// rules can check it. The finding points at the position where parsing failed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// data: [unclosed
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// data: {}
    /// ```
    pub(crate) struct ParseError {
        pub(crate) what: &'static str,
        pub(crate) message: String,
    }
}

impl Violation for ParseError {
    const FAMILY: Family = Family::Input;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("{} does not parse: {}", self.what, self.message)
    }

    fn fix_title(&self) -> Option<String> {
        Some("fix the syntax error at this position".into())
    }
}

/// Reported by the engine; nothing to dispatch.
pub(crate) fn check(_ctx: &mut LintContext<'_>, _node: &()) {}
