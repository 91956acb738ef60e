use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::k8s::selector_matches;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::same_namespace;

violation! {
    /// ## What it does
    /// Checks that a Service's selector matches the pod template of some workload in the same
    /// namespace, when the input contains workloads.
    ///
    /// ## Why is this bad?
    /// A Service that selects no pods has no endpoints: every request to it fails, typically
    /// after a label was renamed on one side only.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: { app: wbe }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: { app: web }
    /// ```
    pub(crate) struct ServiceSelectsNothing {
        pub(crate) object: String,
    }
}

impl Violation for ServiceSelectsNothing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} selects no pods in the input", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("make the selector match the pod template labels of its workload".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    let workloads: Vec<_> = objs.iter().filter(|o| o.is_workload()).collect();
    if workloads.is_empty() {
        return;
    }
    for svc in objs.iter().filter(|o| o.kind == "Service") {
        let Some(sel) = svc.spec().and_then(|s| s.get("selector")) else {
            continue;
        };
        if sel.entries().is_empty() {
            continue;
        }
        let matched = workloads.iter().any(|w| {
            same_namespace(w, svc)
                && w.pod_spec()
                    .is_some_and(|p| selector_matches(sel, p.labels, false))
        });
        if !matched {
            ctx.report(
                ServiceSelectsNothing {
                    object: svc.display(),
                },
                svc.span(sel),
            );
        }
    }
}
