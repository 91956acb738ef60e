use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that Jobs (and CronJob job templates) set `backoffLimit` and
    /// `activeDeadlineSeconds`.
    ///
    /// ## Why is this bad?
    /// Without a deadline a stuck Job runs forever and holds its resources; without an explicit
    /// backoff limit a failing Job retries six times with growing delays, hiding the failure
    /// for hours.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Job
    /// spec:
    ///   template: ...
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Job
    /// spec:
    ///   backoffLimit: 2
    ///   activeDeadlineSeconds: 600
    ///   template: ...
    /// ```
    pub(crate) struct JobWithoutLimits {
        pub(crate) object: String,
        pub(crate) field: &'static str,
    }
}

impl Violation for JobWithoutLimits {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} does not set `{}`", self.object, self.field)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `backoffLimit` and `activeDeadlineSeconds` on the Job spec".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    let spec = match obj.kind {
        "Job" => obj.spec(),
        "CronJob" => obj.node.path(&["spec", "jobTemplate", "spec"]),
        _ => None,
    };
    let Some(spec) = spec else { return };
    for field in ["backoffLimit", "activeDeadlineSeconds"] {
        if spec.get(field).is_none() {
            ctx.report(
                JobWithoutLimits {
                    object: obj.display(),
                    field,
                },
                obj.anchor(),
            );
        }
    }
}
