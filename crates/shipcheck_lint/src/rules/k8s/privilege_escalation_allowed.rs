use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that containers set `securityContext.allowPrivilegeEscalation: false`.
    ///
    /// ## Why is this bad?
    /// By default a process can gain more privileges than its parent (setuid binaries, file
    /// capabilities). Turning escalation off closes a whole class of container-escape paths at
    /// no cost for ordinary applications.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   allowPrivilegeEscalation: false
    /// ```
    pub(crate) struct PrivilegeEscalationAllowed {
        pub(crate) container: String,
    }
}

impl Violation for PrivilegeEscalationAllowed {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("container `{}` allows privilege escalation", self.container)
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `securityContext.allowPrivilegeEscalation: false`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let sc = c.get("securityContext");
    match sc
        .and_then(|s| s.get("allowPrivilegeEscalation"))
        .and_then(|v| v.as_bool())
    {
        Some(false) => {}
        Some(true) => {
            if let Some(span) = sc.and_then(|s| c.entry_span(s, "allowPrivilegeEscalation")) {
                ctx.report(
                    PrivilegeEscalationAllowed {
                        container: c.name.to_owned(),
                    },
                    span,
                );
            }
        }
        None => ctx.report(
            PrivilegeEscalationAllowed {
                container: c.name.to_owned(),
            },
            c.anchor(),
        ),
    }
}
