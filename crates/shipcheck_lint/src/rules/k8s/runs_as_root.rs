use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that containers run as a non-root user: `runAsNonRoot: true` or a non-zero
    /// `runAsUser` (container or pod level). `runAsUser: 0` is always reported.
    ///
    /// ## Why is this bad?
    /// A process running as UID 0 inside the container is root on the host if it escapes, and
    /// can modify everything in its image. Most images can run as an unprivileged user.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    /// ```
    pub(crate) struct RunsAsRoot {
        pub(crate) container: String,
        pub(crate) explicit: bool,
    }
}

impl Violation for RunsAsRoot {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        if self.explicit {
            format!("container `{}` runs as UID 0 (root)", self.container)
        } else {
            format!(
                "container `{}` may run as root (no runAsNonRoot or runAsUser)",
                self.container
            )
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `runAsNonRoot: true` and a non-zero `runAsUser`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    if let Some((uid, own)) = c.security("runAsUser")
        && uid.as_i64() == Some(0)
    {
        let map = if own {
            c.get("securityContext")
        } else {
            c.pod.get("securityContext")
        };
        if let Some(span) = map.and_then(|m| c.entry_span(m, "runAsUser")) {
            ctx.report(
                RunsAsRoot {
                    container: c.name.to_owned(),
                    explicit: true,
                },
                span,
            );
        }
        return;
    }
    let non_root = c.security("runAsNonRoot").and_then(|(v, _)| v.as_bool()) == Some(true);
    let uid_set = c
        .security("runAsUser")
        .and_then(|(v, _)| v.as_i64())
        .is_some_and(|u| u > 0);
    if !non_root && !uid_set {
        ctx.report(
            RunsAsRoot {
                container: c.name.to_owned(),
                explicit: false,
            },
            c.anchor(),
        );
    }
}
