use std::collections::HashSet;

use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::Workspace;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;
use crate::rules::dockerfile::shell::{find_in, stages};

violation! {
    /// ## What it does
    /// When `options.allowed_registries` is set in `.shipcheck.yaml`, checks every image a
    /// deployment pulls — Kubernetes containers (init containers included), compose
    /// services and Dockerfile `FROM` lines — for one that comes from another registry.
    /// Docker Hub short names count as `docker.io/library/…` (`nginx`) or `docker.io/…`
    /// (`bitnami/redis`). Images given by a variable, `scratch` and earlier build stages
    /// are not checked; with no `allowed_registries`, nothing is.
    ///
    /// ## Why is this bad?
    /// An image from an unvetted registry bypasses the scanning, signing and mirroring a
    /// team set up for its own registry, and a public registry's rate limits or outage
    /// becomes a failed rollout.
    ///
    /// ## Example
    /// ```yaml
    /// # .shipcheck.yaml: options: { allowed_registries: ["ghcr.io/acme/"] }
    /// containers:
    ///   - name: web
    ///     image: nginx:1.27.2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/nginx:1.27.2
    /// ```
    ///
    /// ## Options
    /// `options.allowed_registries` in `.shipcheck.yaml`: registry prefixes such as
    /// `ghcr.io/acme/` or `registry.internal:5000`. A prefix without a trailing `/` matches
    /// at a path boundary (`ghcr.io/acme` allows `ghcr.io/acme/api`, not `ghcr.io/acme-x/api`).
    pub(crate) struct ImageRegistryNotAllowed {
        pub(crate) image: String,
        pub(crate) allowed: String,
    }
}

impl Violation for ImageRegistryNotAllowed {
    const FAMILY: Family = Family::Cross;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "image `{}` is not from an allowed registry ({})",
            self.image, self.allowed
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("pull the image from an allowed registry, or add its registry to `options.allowed_registries`".into())
    }
}

/// The image with Docker Hub's implicit registry and `library/` spelled out.
fn full_name(image: &str) -> String {
    let first = image.split('/').next().unwrap_or(image);
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_registry {
        image.to_owned()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    }
}

/// True when `image` starts with one of `prefixes` (at a path boundary for prefixes that
/// do not end in `/`). `docker.io/` also allows `index.docker.io/`.
fn is_allowed(image: &str, prefixes: &[String]) -> bool {
    let full = full_name(image);
    let full = full.strip_prefix("index.").unwrap_or(&full);
    prefixes.iter().any(|p| {
        let p = p.strip_prefix("index.").unwrap_or(p);
        [image, full].iter().any(|i| match i.strip_prefix(p) {
            Some(rest) => p.ends_with('/') || rest.is_empty() || rest.starts_with(['/', ':', '@']),
            None => false,
        })
    })
}

/// An image reference shipcheck cannot resolve (a variable or template).
fn is_dynamic(image: &str) -> bool {
    image.trim().is_empty() || image.contains('$') || image.contains("{{")
}

fn allowed_list(prefixes: &[String]) -> String {
    prefixes
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn check(ctx: &mut LintContext<'_>, ws: &Workspace<'_>) {
    let mut found = Vec::new();
    let mut flag = |ctx: &LintContext<'_>, file, image: &str, span| {
        let allowed = &ctx.options_for(file).allowed_registries;
        if !allowed.is_empty() && !is_dynamic(image) && !is_allowed(image, allowed) {
            found.push((
                ImageRegistryNotAllowed {
                    image: image.to_owned(),
                    allowed: allowed_list(allowed),
                },
                span,
            ));
        }
    };
    for obj in ws.objects {
        let Some(pod) = obj.pod_spec() else { continue };
        for c in pod.containers() {
            if let Some(image) = c.get("image").and_then(|v| v.as_str())
                && let Some(span) = c.entry_span(c.node, "image")
            {
                flag(ctx, obj.file.id, image, span);
            }
        }
    }
    for cf in ws.compose {
        for s in services(cf) {
            if let Some(image) = s.image()
                && let Some(span) = s.entry(s.node, "image")
            {
                flag(ctx, cf.file.id, image, span);
            }
        }
    }
    for df in ws.dockerfiles {
        let all = stages(df);
        let mut earlier: HashSet<&str> = HashSet::new();
        for st in &all {
            let lower = st.image.to_ascii_lowercase();
            if lower != "scratch" && !earlier.contains(lower.as_str()) {
                flag(
                    ctx,
                    df.file.id,
                    &st.image,
                    find_in(df.file, st.from, &st.image),
                );
            }
            if let Some(n) = &st.name {
                earlier.insert(n);
            }
        }
    }
    for (v, span) in found {
        ctx.report(v, span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_prefixes() {
        let p = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let acme = p(&["ghcr.io/acme/"]);
        assert!(is_allowed("ghcr.io/acme/api:1.2", &acme));
        assert!(!is_allowed("ghcr.io/other/api:1.2", &acme));
        assert!(!is_allowed("nginx:1.27", &acme));
        let bounded = p(&["ghcr.io/acme"]);
        assert!(is_allowed("ghcr.io/acme/api", &bounded));
        assert!(!is_allowed("ghcr.io/acme-x/api", &bounded));
        let hub = p(&["docker.io/library/"]);
        assert!(is_allowed("nginx:1.27", &hub));
        assert!(is_allowed("index.docker.io/library/nginx", &hub));
        assert!(!is_allowed("bitnami/redis:7", &hub));
        assert!(is_allowed("bitnami/redis:7", &p(&["docker.io/bitnami/"])));
        assert!(is_allowed("localhost:5000/app", &p(&["localhost:5000"])));
        assert!(is_dynamic("${REGISTRY}/app:1") && is_dynamic("{{ .Values.image }}"));
    }
}
