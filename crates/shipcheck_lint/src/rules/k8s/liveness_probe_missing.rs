use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that long-running containers declare a `livenessProbe` (init containers
    /// and Jobs/CronJobs are exempt).
    ///
    /// ## Why is this bad?
    /// Without a liveness probe, a process that deadlocks or wedges keeps running forever and keeps its place in the Service: Kubernetes only restarts containers that exit.
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
    ///     livenessProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    /// ```
    pub(crate) struct LivenessProbeMissing {
        pub(crate) container: String,
    }
}

impl Violation for LivenessProbeMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("container `{}` has no liveness probe", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a `livenessProbe`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if c.init || matches!(c.object().kind, "Job" | "CronJob") || c.get("livenessProbe").is_some() {
        return;
    }
    ctx.report(
        LivenessProbeMissing {
            container: c.name.to_owned(),
        },
        c.anchor(),
    );
}
