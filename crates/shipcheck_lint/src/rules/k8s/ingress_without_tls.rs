use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for Ingresses without a `tls` section.
    ///
    /// ## Why is this bad?
    /// Without TLS the Ingress serves plain HTTP: credentials and session cookies cross the
    /// network readable by anyone on the path.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   rules: [...]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Ingress
    /// spec:
    ///   tls:
    ///     - hosts: [app.example.com]
    ///       secretName: app-tls
    ///   rules: [...]
    /// ```
    pub(crate) struct IngressWithoutTls {
        pub(crate) object: String,
    }
}

impl Violation for IngressWithoutTls {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} has no TLS section", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `spec.tls` with a certificate Secret (e.g. from cert-manager)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    if obj.kind != "Ingress" {
        return;
    }
    if obj
        .spec()
        .and_then(|s| s.get("tls"))
        .is_some_and(|t| !t.items().is_empty())
    {
        return;
    }
    ctx.report(
        IngressWithoutTls {
            object: obj.display(),
        },
        obj.anchor(),
    );
}
