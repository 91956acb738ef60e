use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for `apiVersion`s that are removed in, or deprecated for, the target Kubernetes
    /// version (`kubernetes_version`, default 1.33).
    ///
    /// ## Why is this bad?
    /// A removed API version is rejected by the API server: the deploy fails during the cluster
    /// upgrade, usually at the worst time. Deprecated versions will be removed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: extensions/v1beta1
    /// kind: Ingress
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// ```
    ///
    /// ## Options
    /// `options.kubernetes_version` in `.shipcheck.yaml` (e.g. `"1.29"`).
    pub(crate) struct DeprecatedApiVersion {
        pub(crate) object: String,
        pub(crate) api: String,
        pub(crate) removed_in: &'static str,
        pub(crate) replacement: &'static str,
        pub(crate) removed: bool,
    }
}

impl Violation for DeprecatedApiVersion {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        if self.removed {
            format!(
                "{} uses `{}`, removed in Kubernetes {}",
                self.object, self.api, self.removed_in
            )
        } else {
            format!(
                "{} uses `{}`, deprecated and removed in Kubernetes {}",
                self.object, self.api, self.removed_in
            )
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("use `{}`", self.replacement))
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    /// apiVersion, kind (or `*`), removed in (major, minor), removed in as text, replacement.
    type Row = (
        &'static str,
        &'static str,
        (u32, u32),
        &'static str,
        &'static str,
    );
    const TABLE: &[Row] = &[
        (
            "extensions/v1beta1",
            "*",
            (1, 16),
            "1.16",
            "apps/v1 or networking.k8s.io/v1",
        ),
        ("apps/v1beta1", "*", (1, 16), "1.16", "apps/v1"),
        ("apps/v1beta2", "*", (1, 16), "1.16", "apps/v1"),
        (
            "networking.k8s.io/v1beta1",
            "*",
            (1, 22),
            "1.22",
            "networking.k8s.io/v1",
        ),
        (
            "rbac.authorization.k8s.io/v1beta1",
            "*",
            (1, 22),
            "1.22",
            "rbac.authorization.k8s.io/v1",
        ),
        (
            "apiextensions.k8s.io/v1beta1",
            "*",
            (1, 22),
            "1.22",
            "apiextensions.k8s.io/v1",
        ),
        (
            "admissionregistration.k8s.io/v1beta1",
            "*",
            (1, 22),
            "1.22",
            "admissionregistration.k8s.io/v1",
        ),
        (
            "scheduling.k8s.io/v1beta1",
            "*",
            (1, 22),
            "1.22",
            "scheduling.k8s.io/v1",
        ),
        (
            "storage.k8s.io/v1beta1",
            "CSIDriver",
            (1, 22),
            "1.22",
            "storage.k8s.io/v1",
        ),
        ("batch/v1beta1", "CronJob", (1, 25), "1.25", "batch/v1"),
        ("policy/v1beta1", "*", (1, 25), "1.25", "policy/v1"),
        (
            "discovery.k8s.io/v1beta1",
            "*",
            (1, 25),
            "1.25",
            "discovery.k8s.io/v1",
        ),
        (
            "autoscaling/v2beta1",
            "*",
            (1, 25),
            "1.25",
            "autoscaling/v2",
        ),
        (
            "autoscaling/v2beta2",
            "*",
            (1, 26),
            "1.26",
            "autoscaling/v2",
        ),
        (
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "*",
            (1, 29),
            "1.29",
            "flowcontrol.apiserver.k8s.io/v1",
        ),
        (
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "*",
            (1, 32),
            "1.32",
            "flowcontrol.apiserver.k8s.io/v1",
        ),
    ];
    let target = ctx.options().kubernetes_version;
    for (api, kind, removed_at, removed_in, replacement) in TABLE {
        if obj.api_version == *api && (*kind == "*" || *kind == obj.kind) {
            let removed = target >= *removed_at;
            let span = obj
                .entry_span(obj.node, "apiVersion")
                .unwrap_or_else(|| obj.anchor());
            ctx.report(
                DeprecatedApiVersion {
                    object: obj.display(),
                    api: (*api).to_owned(),
                    removed_in,
                    replacement,
                    removed,
                },
                span,
            );
            return;
        }
    }
}
