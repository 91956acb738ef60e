use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for containers whose `securityContext.privileged` is `true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and access to the host's devices: a
    /// compromise of the application becomes a compromise of the node and every pod on it.
    /// Almost no application needs it; the few that do (CNI or storage drivers) should say
    /// so explicitly with a suppression and a reason.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: ghcr.io/acme/app:1.4.2
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: ghcr.io/acme/app:1.4.2
    ///     securityContext:
    ///       privileged: false
    /// ```
    ///
    /// ## References
    /// - [Pod Security Standards: Baseline](https://kubernetes.io/docs/concepts/security/pod-security-standards/)
    pub(crate) struct PrivilegedContainer {
        pub(crate) container: String,
    }
}

impl Violation for PrivilegedContainer {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("container `{}` runs privileged", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove `privileged: true`, or grant only the capabilities it needs".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let Some(sc) = c.get("securityContext") else {
        return;
    };
    if sc.get("privileged").and_then(|v| v.as_bool()) == Some(true)
        && let Some(span) = c.entry_span(sc, "privileged")
    {
        ctx.report(
            PrivilegedContainer {
                container: c.name.to_owned(),
            },
            span,
        );
    }
}
