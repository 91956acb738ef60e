use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::PodSpec;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for `hostPath` volumes (the Docker/containerd socket is reported by
    /// `k8s/docker-socket-mounted`).
    ///
    /// ## Why is this bad?
    /// A hostPath volume ties the pod to one node's disk and exposes the node's filesystem to
    /// the container; a writable mount of the wrong path gives root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: logs
    ///     hostPath: { path: /var/log }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// volumes:
    ///   - name: logs
    ///     emptyDir: {}
    /// ```
    pub(crate) struct HostPathVolume {
        pub(crate) object: String,
        pub(crate) path: String,
    }
}

impl Violation for HostPathVolume {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} mounts host path `{}`", self.object, self.path)
    }

    fn fix_title(&self) -> Option<String> {
        Some("use an emptyDir, a PersistentVolumeClaim or a projected volume".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, pod: &PodSpec<'_>) {
    for v in pod.get("volumes").map(|v| v.items()).unwrap_or_default() {
        let Some(hp) = v.get("hostPath") else {
            continue;
        };
        let path = hp.get("path").and_then(|p| p.as_str()).unwrap_or("");
        if path.ends_with("docker.sock")
            || path.ends_with("containerd.sock")
            || path.ends_with("crio.sock")
        {
            continue;
        }
        if let Some(span) = pod.object.entry_span(v, "hostPath") {
            ctx.report(
                HostPathVolume {
                    object: pod.object.display(),
                    path: path.to_owned(),
                },
                span,
            );
        }
    }
}
