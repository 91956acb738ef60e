use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for container ports that set `hostPort`.
    ///
    /// ## Why is this bad?
    /// A hostPort binds the port on the node itself: only one such pod fits per node, rollouts
    /// can deadlock waiting for the port, and the service bypasses network policies. Use a
    /// Service instead.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    ///     hostPort: 8080
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    /// ```
    pub(crate) struct HostPortUsed {
        pub(crate) container: String,
        pub(crate) port: i64,
    }
}

impl Violation for HostPortUsed {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "container `{}` binds host port {}",
            self.container, self.port
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove `hostPort` and expose the port through a Service".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    for p in c.get("ports").map(|p| p.items()).unwrap_or_default() {
        if let Some((k, v)) = p.get_entry("hostPort")
            && let Some(port) = v.as_i64()
            && port > 0
        {
            ctx.report(
                HostPortUsed {
                    container: c.name.to_owned(),
                    port,
                },
                c.object().file.span(k.range().cover(v.range())),
            );
        }
    }
}
