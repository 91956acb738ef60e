use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that CronJobs set `startingDeadlineSeconds`.
    ///
    /// ## Why is this bad?
    /// Without it, a CronJob that missed more than 100 schedules (controller down, cluster
    /// upgrade) stops scheduling for good, and a late run may start hours after it was due.
    ///
    /// ## Example
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "0 3 * * *"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: CronJob
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   startingDeadlineSeconds: 300
    /// ```
    pub(crate) struct CronJobStartingDeadlineMissing {
        pub(crate) object: String,
    }
}

impl Violation for CronJobStartingDeadlineMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} does not set `startingDeadlineSeconds`", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `spec.startingDeadlineSeconds`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    if obj.kind == "CronJob"
        && obj
            .spec()
            .is_some_and(|s| s.get("startingDeadlineSeconds").is_none())
    {
        ctx.report(
            CronJobStartingDeadlineMissing {
                object: obj.display(),
            },
            obj.anchor(),
        );
    }
}
