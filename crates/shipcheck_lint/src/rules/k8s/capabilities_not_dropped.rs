use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that containers drop all Linux capabilities (`capabilities.drop: [ALL]`).
    ///
    /// ## Why is this bad?
    /// Containers start with a default set of capabilities (NET_RAW, CHOWN, SETUID…) that
    /// ordinary applications never use but attackers do. Drop them all and add back only what
    /// is needed.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [NET_RAW]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    /// ```
    pub(crate) struct CapabilitiesNotDropped {
        pub(crate) container: String,
    }
}

impl Violation for CapabilitiesNotDropped {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "container `{}` does not drop all capabilities",
            self.container
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `capabilities: { drop: [ALL] }` to the securityContext".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let caps = c.node.path(&["securityContext", "capabilities"]);
    let drops_all = caps.and_then(|c| c.get("drop")).is_some_and(|d| {
        d.items()
            .iter()
            .any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ALL")))
    });
    if drops_all {
        return;
    }
    let span = caps
        .and_then(|m| c.entry_span(m, "drop"))
        .unwrap_or_else(|| c.anchor());
    ctx.report(
        CapabilitiesNotDropped {
            container: c.name.to_owned(),
        },
        span,
    );
}
