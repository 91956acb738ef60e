use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{first_line, stages};

violation! {
    /// ## What it does
    /// Checks for a final build stage without `HEALTHCHECK`, or with `HEALTHCHECK NONE`.
    ///
    /// ## Why is this bad?
    /// Docker and Compose only know the container's process runs, not that it answers:
    /// `depends_on: service_healthy` cannot work and a hung server looks healthy. (On
    /// Kubernetes, probes replace `HEALTHCHECK`; the rule is informational.)
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27.2
    /// COPY site/ /usr/share/nginx/html
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27.2
    /// COPY site/ /usr/share/nginx/html
    /// HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    /// ```
    pub(crate) struct ImageHealthcheckMissing {
        pub(crate) disabled: bool,
    }
}

impl Violation for ImageHealthcheckMissing {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        if self.disabled {
            "the image disables its health check (`HEALTHCHECK NONE`)".into()
        } else {
            "the final stage has no `HEALTHCHECK`".into()
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a `HEALTHCHECK` that exercises the service".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    // Follow the chain of stages the final one builds on.
    let Some(mut i) = all.len().checked_sub(1) else {
        return;
    };
    let anchor = first_line(df.file, all[i].from);
    for _ in 0..all.len() {
        if let Some(h) = all[i].body.iter().rev().find(|x| x.is("HEALTHCHECK")) {
            if h.args.trim().eq_ignore_ascii_case("none") {
                ctx.report(
                    ImageHealthcheckMissing { disabled: true },
                    first_line(df.file, h),
                );
            }
            return;
        }
        let base = all[i].image.to_ascii_lowercase();
        match all[..i]
            .iter()
            .rposition(|p| p.name.as_deref() == Some(base.as_str()))
        {
            Some(p) => i = p,
            None => break,
        }
    }
    ctx.report(ImageHealthcheckMissing { disabled: false }, anchor);
}
