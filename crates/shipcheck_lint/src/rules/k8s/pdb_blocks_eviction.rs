use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::k8s::selector_matches;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::{same_namespace, targets};

violation! {
    /// ## What it does
    /// Checks PodDisruptionBudgets that can never allow an eviction: `maxUnavailable: 0`, or
    /// `minAvailable` at or above the replicas of the workload it selects (or the `minReplicas`
    /// of its HPA).
    ///
    /// ## Why is this bad?
    /// Such a PDB blocks every node drain: cluster upgrades and autoscaler scale-downs hang
    /// until someone deletes the PDB by hand.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   minAvailable: 3   # the Deployment has replicas: 3
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   maxUnavailable: 1
    /// ```
    pub(crate) struct PdbBlocksEviction {
        pub(crate) object: String,
        pub(crate) detail: String,
    }
}

impl Violation for PdbBlocksEviction {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("{} {}", self.object, self.detail)
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `maxUnavailable: 1` (or a minAvailable below the replica count)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    for pdb in objs.iter().filter(|o| o.kind == "PodDisruptionBudget") {
        let Some(spec) = pdb.spec() else { continue };
        if let Some(mu) = spec.get("maxUnavailable")
            && (mu.as_i64() == Some(0) || mu.as_str() == Some("0%"))
        {
            ctx.report(
                PdbBlocksEviction {
                    object: pdb.display(),
                    detail: "sets maxUnavailable to 0, so no pod can ever be evicted".into(),
                },
                pdb.span(mu),
            );
            continue;
        }
        let Some(min_node) = spec.get("minAvailable") else {
            continue;
        };
        let Some(selector) = spec.get("selector") else {
            continue;
        };
        for w in objs
            .iter()
            .filter(|o| o.is_scalable() && same_namespace(o, pdb))
        {
            let labels = w
                .pod_template()
                .and_then(|t| t.path(&["metadata", "labels"]));
            if !selector_matches(selector, labels, true) {
                continue;
            }
            let hpa_min = objs
                .iter()
                .filter(|h| h.kind == "HorizontalPodAutoscaler" && targets(h, w))
                .filter_map(|h| {
                    h.spec()
                        .and_then(|s| s.get("minReplicas"))
                        .and_then(|m| m.as_i64())
                })
                .min();
            let replicas = hpa_min
                .or_else(|| {
                    w.spec()
                        .and_then(|s| s.get("replicas"))
                        .and_then(|r| r.as_i64())
                })
                .unwrap_or(1);
            let blocks = match min_node.as_str().and_then(|s| s.strip_suffix('%')) {
                Some(p) => p.trim().parse::<f64>().is_ok_and(|p| p >= 100.0),
                None => min_node.as_i64().is_some_and(|m| m >= replicas),
            };
            if blocks {
                let detail = format!(
                    "requires minAvailable {} but {} runs at most {} replica(s) at its minimum",
                    min_node.as_str().unwrap_or(""),
                    w.display(),
                    replicas
                );
                ctx.report(
                    PdbBlocksEviction {
                        object: pdb.display(),
                        detail,
                    },
                    pdb.span(min_node),
                );
                break;
            }
        }
    }
}
