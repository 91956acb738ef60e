use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks HorizontalPodAutoscalers whose `minReplicas` is greater than `maxReplicas`.
    ///
    /// ## Why is this bad?
    /// The API server rejects it; if applied through a tool that skips validation, the
    /// autoscaler cannot do anything sensible.
    ///
    /// ## Example
    /// ```yaml
    /// minReplicas: 5
    /// maxReplicas: 3
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// minReplicas: 3
    /// maxReplicas: 5
    /// ```
    pub(crate) struct HpaMinAboveMax {
        pub(crate) object: String,
        pub(crate) min: i64,
        pub(crate) max: i64,
    }
}

impl Violation for HpaMinAboveMax {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "{} has minReplicas {} above maxReplicas {}",
            self.object, self.min, self.max
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("make `minReplicas` ≤ `maxReplicas`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    if obj.kind != "HorizontalPodAutoscaler" {
        return;
    }
    let Some(spec) = obj.spec() else { return };
    let (Some(min_node), Some(max)) = (
        spec.get("minReplicas"),
        spec.get("maxReplicas").and_then(|m| m.as_i64()),
    ) else {
        return;
    };
    if let Some(min) = min_node.as_i64()
        && min > max
    {
        ctx.report(
            HpaMinAboveMax {
                object: obj.display(),
                min,
                max,
            },
            obj.span(min_node),
        );
    }
}
