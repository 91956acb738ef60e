use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::targets;

violation! {
    /// ## What it does
    /// Checks for workloads that set `spec.replicas` while an HPA scales them.
    ///
    /// ## Why is this bad?
    /// Every `kubectl apply` resets the replica count to the manifest's value, undoing the
    /// autoscaler: a deploy during a traffic peak scales the service down.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3   # and an HPA targets it
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   # replicas omitted: the HPA owns it
    /// ```
    pub(crate) struct HpaWithReplicas {
        pub(crate) object: String,
    }
}

impl Violation for HpaWithReplicas {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} sets replicas but is scaled by an HPA", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove `spec.replicas` and let the HPA own it".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    for w in objs.iter().filter(|o| o.is_scalable()) {
        let Some(r) = w.spec().and_then(|s| s.get("replicas")) else {
            continue;
        };
        if objs
            .iter()
            .any(|h| h.kind == "HorizontalPodAutoscaler" && targets(h, w))
        {
            ctx.report(
                HpaWithReplicas {
                    object: w.display(),
                },
                w.span(r),
            );
        }
    }
}
