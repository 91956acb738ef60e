use shipcheck_report::Severity;
use shipcheck_source::Span;
use shipcheck_source::yaml::Node as Y;

use crate::context::LintContext;
use crate::nodes::Workspace;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;
use crate::rules::cross::links::{compose_dockerfile, exposed_ports, image_dockerfile};

violation! {
    /// ## What it does
    /// When a workload and the Dockerfile of its image are linted together, checks that
    /// the ports the workload uses (Kubernetes `containerPort` and numeric probe ports;
    /// compose `ports:` targets and `expose:`) are among the Dockerfile's `EXPOSE` ports.
    /// A Dockerfile is linked to a compose service through `build:`, and to a Kubernetes
    /// image through the `images:` map of `.shipcheck.yaml`; Dockerfiles without `EXPOSE`
    /// are not compared.
    ///
    /// ## Why is this bad?
    /// A mismatch is usually a port changed in one place only: the probe hits a port
    /// nothing listens on and the pod never becomes ready, or the Service forwards
    /// traffic into the void.
    ///
    /// ## Example
    /// ```yaml
    /// # Dockerfile: EXPOSE 3000
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:2.1.0
    ///     ports: [{ containerPort: 8080 }]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # Dockerfile: EXPOSE 8080
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:2.1.0
    ///     ports: [{ containerPort: 8080 }]
    /// ```
    ///
    /// ## Options
    /// `images:` in `.shipcheck.yaml` maps image names to Dockerfile paths.
    pub(crate) struct ExposePortMismatch {
        pub(crate) workload: String,
        pub(crate) port: i64,
        pub(crate) dockerfile: String,
        pub(crate) exposed: String,
    }
}

impl Violation for ExposePortMismatch {
    const FAMILY: Family = Family::Cross;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "{} uses port {}, but `{}` exposes only {}",
            self.workload, self.port, self.dockerfile, self.exposed
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("make the workload's ports and the Dockerfile's `EXPOSE` agree".into())
    }
}

fn list(ports: &[i64]) -> String {
    ports
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Numeric probe ports of a container: (port, node).
fn probe_ports(c: &Y) -> Vec<(i64, &Y)> {
    let mut out = Vec::new();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        for kind in ["httpGet", "tcpSocket", "grpc"] {
            if let Some(p) = c.path(&[probe, kind, "port"])
                && let Some(n) = p.as_i64()
            {
                out.push((n, p));
            }
        }
    }
    out
}

pub(crate) fn check(ctx: &mut LintContext<'_>, ws: &Workspace<'_>) {
    let mut found: Vec<(ExposePortMismatch, Span)> = Vec::new();
    for obj in ws.objects {
        let Some(pod) = obj.pod_spec() else { continue };
        for c in pod.containers() {
            let Some(df) = image_dockerfile(ctx, ws, &c) else {
                continue;
            };
            let exposed = exposed_ports(df);
            if exposed.is_empty() {
                continue;
            }
            let mut used: Vec<(i64, &Y)> = Vec::new();
            for p in c.get("ports").map(Y::items).unwrap_or_default() {
                if let Some(n) = p.get("containerPort").and_then(Y::as_i64) {
                    used.push((n, p.get("containerPort").unwrap_or(p)));
                }
            }
            used.extend(probe_ports(c.node));
            for (port, node) in used {
                if !exposed.contains(&port) {
                    found.push((
                        ExposePortMismatch {
                            workload: format!("container `{}` of {}", c.name, obj.display()),
                            port,
                            dockerfile: df.file.path.clone(),
                            exposed: list(&exposed),
                        },
                        obj.span(node),
                    ));
                }
            }
        }
    }
    for cf in ws.compose {
        for s in services(cf) {
            let Some(df) = compose_dockerfile(ws, &s) else {
                continue;
            };
            let exposed = exposed_ports(df);
            if exposed.is_empty() {
                continue;
            }
            let mut used: Vec<(i64, Span)> = Vec::new();
            for p in s.ports() {
                if let Ok(n) = p.target.parse::<i64>() {
                    used.push((n, p.span));
                }
            }
            for e in s.get("expose").map(Y::items).unwrap_or_default() {
                if let Some(n) = e.as_str().and_then(|t| t.split('/').next()?.parse().ok()) {
                    used.push((n, s.span(e)));
                }
            }
            for (port, span) in used {
                if !exposed.contains(&port) {
                    found.push((
                        ExposePortMismatch {
                            workload: format!("service `{}`", s.name),
                            port,
                            dockerfile: df.file.path.clone(),
                            exposed: list(&exposed),
                        },
                        span,
                    ));
                }
            }
        }
    }
    for (v, span) in found {
        ctx.report(v, span);
    }
}
