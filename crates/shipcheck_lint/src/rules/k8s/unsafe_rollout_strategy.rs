use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks Deployment strategies: `Recreate`, or a `RollingUpdate` whose `maxUnavailable`
    /// can take every pod down at once (100%, or ≥ replicas).
    ///
    /// ## Why is this bad?
    /// `Recreate` stops all pods before starting new ones, so every deploy is an outage; a
    /// rolling update that may remove all pods is the same outage with extra steps.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   strategy:
    ///     type: Recreate
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
    /// ```
    pub(crate) struct UnsafeRolloutStrategy {
        pub(crate) object: String,
        pub(crate) detail: String,
    }
}

impl Violation for UnsafeRolloutStrategy {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} {}", self.object, self.detail)
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `RollingUpdate` with `maxUnavailable` below the replica count (0 for zero downtime)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    if obj.kind != "Deployment" {
        return;
    }
    let Some(strategy) = obj.spec().and_then(|s| s.get("strategy")) else {
        return;
    };
    let replicas = obj
        .spec()
        .and_then(|s| s.get("replicas"))
        .and_then(|r| r.as_i64())
        .unwrap_or(1);
    if let Some(t) = strategy.get("type")
        && t.as_str() == Some("Recreate")
    {
        ctx.report(
            UnsafeRolloutStrategy {
                object: obj.display(),
                detail: "uses the Recreate strategy: every rollout stops all pods".into(),
            },
            obj.span(t),
        );
        return;
    }
    let Some(mu) = strategy.path(&["rollingUpdate", "maxUnavailable"]) else {
        return;
    };
    let Some(text) = mu.as_str() else { return };
    let all = match text.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().is_ok_and(|p| p >= 100.0),
        None => mu.as_i64().is_some_and(|n| n >= replicas),
    };
    if all {
        ctx.report(
            UnsafeRolloutStrategy {
                object: obj.display(),
                detail: format!("allows maxUnavailable `{text}`, which can take every pod down"),
            },
            obj.span(mu),
        );
    }
}
