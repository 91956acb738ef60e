use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that every container sets `resources.requests.cpu`.
    ///
    /// ## Why is this bad?
    /// Without a CPU request the scheduler places the pod as if it needed nothing: nodes get
    /// overcommitted and the pod is first to be starved under contention (BestEffort QoS).
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
    ///         cpu: 250m
    /// ```
    pub(crate) struct CpuRequestMissing {
        pub(crate) container: String,
    }
}

impl Violation for CpuRequestMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("container `{}` has no cpu request", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `resources.requests.cpu`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if let Some(span) = c.missing_resource("requests", "cpu") {
        ctx.report(
            CpuRequestMissing {
                container: c.name.to_owned(),
            },
            span,
        );
    }
}
