use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that every container sets `resources.limits.memory`.
    ///
    /// ## Why is this bad?
    /// Without a memory limit one leaking container can exhaust the node and get unrelated pods
    /// OOM-killed.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     resources: {}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     resources:
    ///       limits:
    ///         memory: 256Mi
    /// ```
    pub(crate) struct MemoryLimitMissing {
        pub(crate) container: String,
    }
}

impl Violation for MemoryLimitMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("container `{}` has no memory limit", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `resources.limits.memory`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if let Some(span) = c.missing_resource("limits", "memory") {
        ctx.report(
            MemoryLimitMissing {
                container: c.name.to_owned(),
            },
            span,
        );
    }
}
