use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::PodSpec;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that Deployments and StatefulSets with more than one replica spread their pods,
    /// with `podAntiAffinity` or `topologySpreadConstraints`.
    ///
    /// ## Why is this bad?
    /// Without a spread rule the scheduler may put every replica on the same node or zone, and
    /// one node failure or drain takes the whole service down despite the replicas.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       containers: [...]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: kubernetes.io/hostname
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector: { matchLabels: { app: web } }
    /// ```
    pub(crate) struct PodAntiAffinityMissing {
        pub(crate) object: String,
        pub(crate) replicas: i64,
    }
}

impl Violation for PodAntiAffinityMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "{} runs {} replicas with no anti-affinity or topology spread",
            self.object, self.replicas
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(
            "add `topologySpreadConstraints` (or `podAntiAffinity`) over `kubernetes.io/hostname`"
                .into(),
        )
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, pod: &PodSpec<'_>) {
    let obj = pod.object;
    if !obj.is_scalable() {
        return;
    }
    let replicas = obj
        .spec()
        .and_then(|s| s.get("replicas"))
        .and_then(|r| r.as_i64())
        .unwrap_or(1);
    if replicas < 2
        || pod.get("topologySpreadConstraints").is_some()
        || pod.spec.path(&["affinity", "podAntiAffinity"]).is_some()
    {
        return;
    }
    ctx.report(
        PodAntiAffinityMissing {
            object: obj.display(),
            replicas,
        },
        obj.anchor(),
    );
}
