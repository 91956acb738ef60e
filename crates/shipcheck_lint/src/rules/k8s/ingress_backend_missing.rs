use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};
use crate::rules::k8s::same_namespace;

violation! {
    /// ## What it does
    /// Checks that every Service an Ingress routes to exists in the input (same namespace) and
    /// exposes the referenced port, when the input contains Services.
    ///
    /// ## Why is this bad?
    /// A backend that does not exist, or a port the Service does not expose, answers 503 for
    /// every request on that route.
    ///
    /// ## Example
    /// ```yaml
    /// backend:
    ///   service: { name: web, port: { number: 8080 } }   # Service web exposes 80
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// backend:
    ///   service: { name: web, port: { number: 80 } }
    /// ```
    pub(crate) struct IngressBackendMissing {
        pub(crate) object: String,
        pub(crate) detail: String,
    }
}

impl Violation for IngressBackendMissing {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} {}", self.object, self.detail)
    }

    fn fix_title(&self) -> Option<String> {
        Some("route to an existing Service and one of its ports".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, objs: &[K8sObject<'_>]) {
    let services: Vec<_> = objs.iter().filter(|o| o.kind == "Service").collect();
    if services.is_empty() {
        return;
    }
    for ing in objs.iter().filter(|o| o.kind == "Ingress") {
        let mut backends = Vec::new();
        ing.node.walk(&mut |n| {
            if let Some(s) = n.get("service")
                && s.get("name").is_some()
            {
                backends.push(s);
            }
        });
        for b in backends {
            let Some(name) = b.get("name").and_then(|n| n.as_str()) else {
                continue;
            };
            let Some(svc) = services
                .iter()
                .find(|s| s.name == Some(name) && same_namespace(s, ing))
            else {
                ctx.report(
                    IngressBackendMissing {
                        object: ing.display(),
                        detail: format!("routes to Service `{name}`, which is not in the input"),
                    },
                    ing.span(b),
                );
                continue;
            };
            let Some(port) = b.get("port") else { continue };
            let ports = svc
                .spec()
                .and_then(|s| s.get("ports"))
                .map(|p| p.items())
                .unwrap_or_default();
            let ok = if let Some(n) = port.get("number").and_then(|n| n.as_i64()) {
                ports
                    .iter()
                    .any(|p| p.get("port").and_then(|x| x.as_i64()) == Some(n))
            } else if let Some(pn) = port.get("name").and_then(|n| n.as_str()) {
                ports
                    .iter()
                    .any(|p| p.get("name").and_then(|x| x.as_str()) == Some(pn))
            } else {
                true
            };
            if !ok {
                ctx.report(
                    IngressBackendMissing {
                        object: ing.display(),
                        detail: format!("routes to a port Service `{name}` does not expose"),
                    },
                    ing.span(port),
                );
            }
        }
    }
}
