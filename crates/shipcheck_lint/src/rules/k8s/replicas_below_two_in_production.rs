use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::targets;

violation! {
    /// ## What it does
    /// Checks that Deployments, StatefulSets and Rollouts in production namespaces (pattern
    /// `^prod(uction)?(-|$)`, or `--namespace` for objects without one) run at least 2
    /// replicas, unless an HPA with `minReplicas` ≥ 2 targets them.
    ///
    /// ## Why is this bad?
    /// A single replica means every node drain, eviction, crash or rollout is an outage.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   namespace: production
    /// spec:
    ///   replicas: 1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// metadata:
    ///   namespace: production
    /// spec:
    ///   replicas: 3
    /// ```
    ///
    /// ## Options
    /// `options.production_namespace` (a regex) in `.shipcheck.yaml`.
    pub(crate) struct ReplicasBelowTwoInProduction {
        pub(crate) object: String,
        pub(crate) replicas: i64,
    }
}

impl Violation for ReplicasBelowTwoInProduction {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "{} runs {} replica(s) in a production namespace",
            self.object, self.replicas
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("run at least 2 replicas (and a PodDisruptionBudget)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    let prod: Vec<_> = objs
        .iter()
        .filter(|o| o.is_scalable() && ctx.is_production(o))
        .collect();
    for obj in prod {
        let replicas_node = obj.spec().and_then(|s| s.get("replicas"));
        let replicas = replicas_node.and_then(|r| r.as_i64()).unwrap_or(1);
        if replicas >= 2 {
            continue;
        }
        let hpa_min = objs
            .iter()
            .filter(|h| h.kind == "HorizontalPodAutoscaler" && targets(h, obj))
            .filter_map(|h| {
                h.spec()
                    .and_then(|s| s.get("minReplicas"))
                    .and_then(|m| m.as_i64())
            })
            .max();
        if hpa_min.is_some_and(|m| m >= 2) {
            continue;
        }
        let span = replicas_node.map_or_else(|| obj.anchor(), |n| obj.span(n));
        ctx.report(
            ReplicasBelowTwoInProduction {
                object: obj.display(),
                replicas,
            },
            span,
        );
    }
}
