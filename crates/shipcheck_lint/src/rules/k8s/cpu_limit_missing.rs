use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that every container sets `resources.limits.cpu`.
    ///
    /// ## Why is this bad?
    /// A CPU limit caps a runaway container, but it also throttles latency-sensitive services
    /// even when the node is idle; that is why this rule is off by default. Enable it where
    /// noisy neighbours are the bigger risk.
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
    ///         cpu: 250m
    /// ```
    ///
    /// ## Options
    /// Off by default; enable with `rules: {{ k8s/cpu-limit-missing: warning }}` in `.shipcheck.yaml`.
    pub(crate) struct CpuLimitMissing {
        pub(crate) container: String,
    }
}

impl Violation for CpuLimitMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;
    const DEFAULT_ENABLED: bool = false;

    fn message(&self) -> String {
        format!("container `{}` has no cpu limit", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `resources.limits.cpu`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if let Some(span) = c.missing_resource("limits", "cpu") {
        ctx.report(
            CpuLimitMissing {
                container: c.name.to_owned(),
            },
            span,
        );
    }
}
