use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::PodSpec;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that web workloads (Deployments, StatefulSets and Rollouts whose containers
    /// expose ports) have a `preStop` hook, so they keep serving while endpoints are removed.
    ///
    /// ## Why is this bad?
    /// When a pod is deleted, it receives SIGTERM at the same time as it is removed from
    /// Service endpoints; load balancers keep sending requests for a few seconds. A short
    /// `preStop` sleep (within `terminationGracePeriodSeconds`) avoids the 502s of every
    /// rollout.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     ports: [{ containerPort: 8080 }]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     ports: [{ containerPort: 8080 }]
    ///     lifecycle:
    ///       preStop:
    ///         exec: { command: ["sleep", "5"] }
    /// ```
    pub(crate) struct PreStopHookMissing {
        pub(crate) object: String,
    }
}

impl Violation for PreStopHookMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        format!("{} serves traffic but has no preStop hook", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `lifecycle.preStop` (e.g. `sleep 5`) to the serving container".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, pod: &PodSpec<'_>) {
    let obj = pod.object;
    if !obj.is_scalable() {
        return;
    }
    let containers = pod.containers();
    let serving: Vec<_> = containers
        .iter()
        .filter(|c| !c.init && !c.ports().is_empty())
        .collect();
    if serving.is_empty()
        || serving
            .iter()
            .any(|c| c.node.path(&["lifecycle", "preStop"]).is_some())
    {
        return;
    }
    ctx.report(
        PreStopHookMissing {
            object: obj.display(),
        },
        obj.anchor(),
    );
}
