use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Reports a suppression that names a rule ID shipcheck does not know.
    ///
    /// ## Why is this bad?
    /// A typo in a suppression silences nothing, so the finding it was meant for still
    /// shows up, or the suppression lingers after a rule was renamed.
    ///
    /// ## Example
    /// ```yaml
    /// # shipcheck-ignore k8s/latest-tag: pinned by the release pipeline
    /// image: nginx:latest
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # shipcheck-ignore k8s/latest-image-tag: pinned by the release pipeline
    /// image: nginx:latest
    /// ```
    pub(crate) struct SuppressionUnknownRule {
        pub(crate) id: String,
    }
}

impl Violation for SuppressionUnknownRule {
    const FAMILY: Family = Family::Input;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("suppression names unknown rule `{}`", self.id)
    }

    fn fix_title(&self) -> Option<String> {
        Some("use an ID listed by `shipcheck rules`".into())
    }
}

/// Reported by the engine; nothing to dispatch.
pub(crate) fn check(_ctx: &mut LintContext<'_>, _node: &()) {}
