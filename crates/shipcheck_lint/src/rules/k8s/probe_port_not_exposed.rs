use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that the port a probe calls is one the container declares in `ports` (by number
    /// or name), when it declares any.
    ///
    /// ## Why is this bad?
    /// A probe aimed at the wrong port never succeeds: the pod is never ready (readiness) or is
    /// restarted forever (liveness). This usually happens when the app port changes and the
    /// probe is forgotten.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    /// readinessProbe:
    ///   httpGet: { path: /ready, port: 3000 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ports:
    ///   - containerPort: 8080
    /// readinessProbe:
    ///   httpGet: { path: /ready, port: 8080 }
    /// ```
    pub(crate) struct ProbePortNotExposed {
        pub(crate) container: String,
        pub(crate) probe: &'static str,
        pub(crate) port: String,
    }
}

impl Violation for ProbePortNotExposed {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "{} of container `{}` targets port `{}`, which the container does not expose",
            self.probe, self.container, self.port
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("point the probe at a declared containerPort".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let ports = c.ports();
    if ports.is_empty() {
        return;
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(p) = c.get(probe) else { continue };
        for handler in ["httpGet", "tcpSocket", "grpc"] {
            let Some((key, port)) = p.get(handler).and_then(|h| h.get_entry("port")) else {
                continue;
            };
            let Some(text) = port.as_str() else { continue };
            let exposed = match port.as_i64() {
                Some(n) => ports.iter().any(|(p, _)| *p == n),
                None => ports.iter().any(|(_, name)| *name == Some(text)),
            };
            if !exposed {
                let span = c.object().file.span(key.range().cover(port.range()));
                ctx.report(
                    ProbePortNotExposed {
                        container: c.name.to_owned(),
                        probe,
                        port: text.to_owned(),
                    },
                    span,
                );
            }
        }
    }
}
