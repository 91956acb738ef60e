use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::k8s::selector_matches;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::same_namespace;

violation! {
    /// ## What it does
    /// Checks that Deployments, StatefulSets and Rollouts with 2 or more replicas, or in a
    /// production namespace, are covered by a PodDisruptionBudget in the same input.
    ///
    /// ## Why is this bad?
    /// Without a PDB, a node drain (cluster upgrade, autoscaler scale-down) may evict every
    /// replica at once.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// spec:
    ///   replicas: 3
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: { app: web }
    /// ```
    pub(crate) struct PdbMissing {
        pub(crate) object: String,
    }
}

impl Violation for PdbMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} has no PodDisruptionBudget", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a PodDisruptionBudget with `maxUnavailable: 1` selecting its pods".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    let pdbs: Vec<_> = objs
        .iter()
        .filter(|o| o.kind == "PodDisruptionBudget")
        .collect();
    for obj in objs.iter().filter(|o| o.is_scalable()) {
        let replicas = obj
            .spec()
            .and_then(|s| s.get("replicas"))
            .and_then(|r| r.as_i64())
            .unwrap_or(1);
        if replicas < 2 && !ctx.is_production(obj) {
            continue;
        }
        let labels = obj
            .pod_template()
            .and_then(|t| t.path(&["metadata", "labels"]));
        let covered = pdbs.iter().any(|p| {
            same_namespace(p, obj)
                && p.spec()
                    .and_then(|s| s.get("selector"))
                    .is_some_and(|sel| selector_matches(sel, labels, true))
        });
        if !covered {
            ctx.report(
                PdbMissing {
                    object: obj.display(),
                },
                obj.anchor(),
            );
        }
    }
}
