use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::k8s::selector_matches;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that a workload's `spec.selector` matches the labels of its own pod template.
    ///
    /// ## Why is this bad?
    /// The API server rejects a Deployment whose selector does not match its template; older
    /// manifests and other controllers end up managing no pods or someone else's.
    ///
    /// ## Example
    /// ```yaml
    /// selector:
    ///   matchLabels: { app: web }
    /// template:
    ///   metadata:
    ///     labels: { app: website }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// selector:
    ///   matchLabels: { app: web }
    /// template:
    ///   metadata:
    ///     labels: { app: web }
    /// ```
    pub(crate) struct SelectorMismatch {
        pub(crate) object: String,
    }
}

impl Violation for SelectorMismatch {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "{} has a selector that does not match its pod template labels",
            self.object
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    if !obj.is_workload() || obj.kind == "Pod" || obj.kind == "CronJob" {
        return;
    }
    let Some(selector) = obj.spec().and_then(|s| s.get("selector")) else {
        return;
    };
    let labels = obj
        .pod_template()
        .and_then(|t| t.path(&["metadata", "labels"]));
    let is_label_selector = obj.kind != "ReplicationController";
    if !selector_matches(selector, labels, is_label_selector) {
        ctx.report(
            SelectorMismatch {
                object: obj.display(),
            },
            obj.span(selector),
        );
    }
}
