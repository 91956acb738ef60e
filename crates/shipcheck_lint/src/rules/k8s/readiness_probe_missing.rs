use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that long-running containers declare a `readinessProbe` (init containers
    /// and Jobs/CronJobs are exempt).
    ///
    /// ## Why is this bad?
    /// Without a readiness probe, a pod receives traffic as soon as its process starts, before it can serve: every rollout and restart turns into a burst of errors, and a pod that loses its database keeps getting requests.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:2.1.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:2.1.0
    ///     readinessProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    /// ```
    pub(crate) struct ReadinessProbeMissing {
        pub(crate) container: String,
    }
}

impl Violation for ReadinessProbeMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("container `{}` has no readiness probe", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a `readinessProbe`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if c.init || matches!(c.object().kind, "Job" | "CronJob") || c.get("readinessProbe").is_some() {
        return;
    }
    ctx.report(
        ReadinessProbeMissing {
            container: c.name.to_owned(),
        },
        c.anchor(),
    );
}
