use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::PodSpec;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that pods set `automountServiceAccountToken: false` unless they use the
    /// Kubernetes API.
    ///
    /// ## Why is this bad?
    /// Every pod gets an API token by default. Most applications never call the API, and a
    /// token an attacker can read from the filesystem is a foothold in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers: [...]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   automountServiceAccountToken: false
    ///   containers: [...]
    /// ```
    pub(crate) struct ServiceAccountTokenAutomounted {
        pub(crate) object: String,
    }
}

impl Violation for ServiceAccountTokenAutomounted {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        format!("{} mounts a service-account token", self.object)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `automountServiceAccountToken: false` on the pod (or its ServiceAccount)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, pod: &PodSpec<'_>) {
    match pod
        .get("automountServiceAccountToken")
        .and_then(|v| v.as_bool())
    {
        Some(false) => {}
        Some(true) => {
            if let Some(span) = pod
                .object
                .entry_span(pod.spec, "automountServiceAccountToken")
            {
                ctx.report(
                    ServiceAccountTokenAutomounted {
                        object: pod.object.display(),
                    },
                    span,
                );
            }
        }
        None => ctx.report(
            ServiceAccountTokenAutomounted {
                object: pod.object.display(),
            },
            pod.anchor(),
        ),
    }
}
