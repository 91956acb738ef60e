use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that every container sets `resources.requests.memory`.
    ///
    /// ## Why is this bad?
    /// Without a memory request the scheduler cannot place the pod sensibly and it is among the
    /// first evicted under memory pressure.
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
    ///       requests:
    ///         memory: 256Mi
    /// ```
    pub(crate) struct MemoryRequestMissing {
        pub(crate) container: String,
    }
}

impl Violation for MemoryRequestMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("container `{}` has no memory request", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `resources.requests.memory`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if let Some(span) = c.missing_resource("requests", "memory") {
        ctx.report(
            MemoryRequestMissing {
                container: c.name.to_owned(),
            },
            span,
        );
    }
}
