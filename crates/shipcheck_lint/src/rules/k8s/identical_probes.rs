use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::k8s::canonical;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for containers whose liveness and readiness probes are the same check.
    ///
    /// ## Why is this bad?
    /// Readiness decides whether a pod gets traffic; liveness decides whether it is killed.
    /// When both run the same check, an overloaded or dependency-starved pod is restarted
    /// instead of being taken out of rotation, turning a slowdown into a restart storm.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     readinessProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    ///     livenessProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     readinessProbe:
    ///       httpGet: { path: /ready, port: 8080 }
    ///     livenessProbe:
    ///       httpGet: { path: /livez, port: 8080 }
    /// ```
    pub(crate) struct IdenticalProbes {
        pub(crate) container: String,
    }
}

impl Violation for IdenticalProbes {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "container `{}` uses the same check for liveness and readiness",
            self.container
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(
            "give liveness a cheaper check (process alive) than readiness (dependencies ready)"
                .into(),
        )
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let (Some(l), Some(r)) = (c.get("livenessProbe"), c.get("readinessProbe")) else {
        return;
    };
    let handler = |p: &shipcheck_source::yaml::Node| {
        ["httpGet", "tcpSocket", "exec", "grpc"]
            .iter()
            .find_map(|k| p.get(k).map(canonical))
    };
    if handler(l).is_some()
        && handler(l) == handler(r)
        && let Some(span) = c.entry_span(c.node, "livenessProbe")
    {
        ctx.report(
            IdenticalProbes {
                container: c.name.to_owned(),
            },
            span,
        );
    }
}
