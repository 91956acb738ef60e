use shipcheck_report::Severity;
use shipcheck_source::yaml::Node as Y;

use crate::context::LintContext;
use crate::nodes::Workspace;
use crate::rule::{Family, Violation, violation};
use crate::rules::cross::links::image_dockerfile;
use crate::rules::dockerfile::shell::{effective_user, is_root_user, stages};

violation! {
    /// ## What it does
    /// When a Kubernetes workload and the Dockerfile of its image (linked through the
    /// `images:` map of `.shipcheck.yaml`) are linted together, checks containers that
    /// require `runAsNonRoot: true` without setting `runAsUser`, while the image's final
    /// `USER` is root, missing, or a name rather than a numeric UID.
    ///
    /// ## Why is this bad?
    /// The kubelet checks the image's user before starting the container: with root it
    /// refuses (`container has runAsNonRoot and image will run as root`), and with a user
    /// name it cannot verify and refuses too (`image has non-numeric user`). The pod sits
    /// in `CreateContainerConfigError` on the first deploy.
    ///
    /// ## Example
    /// ```yaml
    /// # Dockerfile: no USER
    /// securityContext:
    ///   runAsNonRoot: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # Dockerfile: USER 10001
    /// securityContext:
    ///   runAsNonRoot: true
    /// ```
    ///
    /// ## Options
    /// `images:` in `.shipcheck.yaml` maps image names to Dockerfile paths.
    pub(crate) struct RootImageRunAsNonRoot {
        pub(crate) container: String,
        pub(crate) dockerfile: String,
        pub(crate) user: Option<String>,
    }
}

impl Violation for RootImageRunAsNonRoot {
    const FAMILY: Family = Family::Cross;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        match &self.user {
            None => format!(
                "container `{}` requires a non-root user, but `{}` sets no `USER` (root)",
                self.container, self.dockerfile
            ),
            Some(u) if is_root_user(u) => format!(
                "container `{}` requires a non-root user, but `{}` runs as `{u}`",
                self.container, self.dockerfile
            ),
            Some(u) => format!(
                "container `{}` requires a non-root user, but `{}` runs as the non-numeric user `{u}`, which the kubelet cannot verify",
                self.container, self.dockerfile
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("set a numeric non-root `USER` in the Dockerfile, or `runAsUser` in the pod".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, ws: &Workspace<'_>) {
    let mut found = Vec::new();
    for obj in ws.objects {
        let Some(pod) = obj.pod_spec() else { continue };
        for c in pod.containers() {
            let Some((flag, own)) = c.security("runAsNonRoot") else {
                continue;
            };
            if flag.as_bool() != Some(true) {
                continue;
            }
            if c.security("runAsUser")
                .is_some_and(|(u, _)| u.as_i64().is_some_and(|n| n != 0))
            {
                continue;
            }
            let Some(df) = image_dockerfile(ctx, ws, &c) else {
                continue;
            };
            let all = stages(df);
            let Some(last) = all.len().checked_sub(1) else {
                continue;
            };
            let user = effective_user(&all, last).map(|u| u.args.trim().to_owned());
            let numeric = user.as_deref().is_some_and(|u| {
                let uid = u.split(':').next().unwrap_or(u);
                uid.parse::<u32>().is_ok_and(|n| n != 0)
            });
            if numeric {
                continue;
            }
            let sc = if own {
                c.get("securityContext")
            } else {
                pod.get("securityContext")
            };
            let span = sc
                .and_then(|sc: &Y| obj.entry_span(sc, "runAsNonRoot"))
                .unwrap_or_else(|| c.anchor());
            found.push((
                RootImageRunAsNonRoot {
                    container: c.name.to_owned(),
                    dockerfile: df.file.path.clone(),
                    user,
                },
                span,
            ));
        }
    }
    for (v, span) in found {
        ctx.report(v, span);
    }
}
