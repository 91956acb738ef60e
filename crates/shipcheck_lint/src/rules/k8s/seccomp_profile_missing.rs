use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that containers run with a seccomp profile (`RuntimeDefault` or `Localhost`), set
    /// on the container or the pod; `Unconfined` is reported.
    ///
    /// ## Why is this bad?
    /// Without seccomp, every system call of the kernel is reachable from the container,
    /// including the rarely used ones most kernel exploits go through. `RuntimeDefault` blocks
    /// them with no effect on normal applications.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   seccompProfile:
    ///     type: RuntimeDefault
    /// ```
    pub(crate) struct SeccompProfileMissing {
        pub(crate) container: String,
    }
}

impl Violation for SeccompProfileMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "container `{}` runs without a seccomp profile",
            self.container
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `securityContext.seccompProfile.type: RuntimeDefault` on the pod".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    match c.security("seccompProfile") {
        Some((p, _)) => {
            if let Some(t) = p.get("type")
                && t.as_str() == Some("Unconfined")
            {
                ctx.report(
                    SeccompProfileMissing {
                        container: c.name.to_owned(),
                    },
                    c.object().span(t),
                );
            }
        }
        None => ctx.report(
            SeccompProfileMissing {
                container: c.name.to_owned(),
            },
            c.anchor(),
        ),
    }
}
