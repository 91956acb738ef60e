use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::PodSpec;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for pods that share the node's network, PID or IPC namespace (`hostNetwork`,
    /// `hostPID`, `hostIPC`).
    ///
    /// ## Why is this bad?
    /// A pod in the host's namespaces can see and talk to everything on the node: other pods'
    /// processes, the node's loopback services, shared memory. It also bypasses network
    /// policies.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   hostNetwork: false
    /// ```
    pub(crate) struct HostNamespaceShared {
        pub(crate) object: String,
        pub(crate) field: &'static str,
    }
}

impl Violation for HostNamespaceShared {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("{} sets `{}: true`", self.object, self.field)
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove the host namespace setting".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, pod: &PodSpec<'_>) {
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod.get(field).and_then(|v| v.as_bool()) == Some(true)
            && let Some(span) = pod.object.entry_span(pod.spec, field)
        {
            ctx.report(
                HostNamespaceShared {
                    object: pod.object.display(),
                    field,
                },
                span,
            );
        }
    }
}
