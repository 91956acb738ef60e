use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Reports a suppression (`# shipcheck-ignore <id>` comment or `shipcheck.dev/ignore`
    /// annotation) that gives no reason after a colon.
    ///
    /// ## Why is this bad?
    /// A suppression hides a finding from everyone who reads the report later. Without a
    /// reason, nobody can tell whether the risk was accepted deliberately or just silenced.
    ///
    /// ## Example
    /// ```yaml
    /// # shipcheck-ignore k8s/latest-image-tag
    /// image: nginx:latest
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # shipcheck-ignore k8s/latest-image-tag: dev-only manifest, never deployed to prod
    /// image: nginx:latest
    /// ```
    pub(crate) struct SuppressionMissingReason {
        pub(crate) ids: String,
    }
}

impl Violation for SuppressionMissingReason {
    const FAMILY: Family = Family::Input;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("suppression of `{}` gives no reason", self.ids)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `: <reason>` after the rule IDs".into())
    }
}

/// Reported by the engine; nothing to dispatch.
pub(crate) fn check(_ctx: &mut LintContext<'_>, _node: &()) {}
