use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::PodSpec;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for `hostPath` volumes that mount the container runtime socket (`docker.sock`,
    /// `containerd.sock`, `crio.sock`).
    ///
    /// ## Why is this bad?
    /// Whoever can talk to the runtime socket can start a privileged container on the node:
    /// mounting it is equivalent to giving the pod root on the node.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath: { path: /var/run/docker.sock }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # build images with a rootless builder (kaniko, buildkit) instead
    /// ```
    pub(crate) struct DockerSocketMounted {
        pub(crate) object: String,
        pub(crate) path: String,
    }
}

impl Violation for DockerSocketMounted {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "{} mounts the container runtime socket `{}`",
            self.object, self.path
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("do not mount the runtime socket; use a rootless builder or the Kubernetes API".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, pod: &PodSpec<'_>) {
    for v in pod.get("volumes").map(|v| v.items()).unwrap_or_default() {
        let Some(path) = v.path(&["hostPath", "path"]).and_then(|p| p.as_str()) else {
            continue;
        };
        if (path.ends_with("docker.sock")
            || path.ends_with("containerd.sock")
            || path.ends_with("crio.sock"))
            && let Some(span) = pod.object.entry_span(v, "hostPath")
        {
            ctx.report(
                DockerSocketMounted {
                    object: pod.object.display(),
                    path: path.to_owned(),
                },
                span,
            );
        }
    }
}
