use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::targets;

violation! {
    /// ## What it does
    /// Checks that the workload a HorizontalPodAutoscaler scales (`scaleTargetRef`) is part of
    /// the linted input.
    ///
    /// ## Why is this bad?
    /// An HPA whose target does not exist (a typo, a renamed Deployment) does nothing, and the
    /// service silently runs at a fixed size.
    ///
    /// ## Example
    /// ```yaml
    /// scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: wbe }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
    /// ```
    pub(crate) struct HpaTargetMissing {
        pub(crate) object: String,
        pub(crate) target: String,
    }
}

impl Violation for HpaTargetMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "{} targets {}, which is not in the input",
            self.object, self.target
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("point `scaleTargetRef` at an existing workload (same namespace)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    for hpa in objs.iter().filter(|o| o.kind == "HorizontalPodAutoscaler") {
        let Some(r) = hpa.spec().and_then(|s| s.get("scaleTargetRef")) else {
            continue;
        };
        if objs.iter().any(|w| targets(hpa, w)) {
            continue;
        }
        let kind = r.get("kind").and_then(|k| k.as_str()).unwrap_or("?");
        let name = r.get("name").and_then(|k| k.as_str()).unwrap_or("?");
        ctx.report(
            HpaTargetMissing {
                object: hpa.display(),
                target: format!("{kind}/{name}"),
            },
            hpa.span(r),
        );
    }
}
