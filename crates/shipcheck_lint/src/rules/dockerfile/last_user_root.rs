use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{effective_user, first_line, is_root_user, stages};

violation! {
    /// ## What it does
    /// Checks whether the last `USER` that applies to the final build stage is `root`
    /// (or UID 0). Switching to root for a few steps and back is fine.
    ///
    /// ## Why is this bad?
    /// The image runs as root: a compromise of the application is root in the container,
    /// with write access to everything in the image, and Kubernetes' `runAsNonRoot: true`
    /// refuses to start it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12.7-slim
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12.7-slim
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// USER 10001
    /// ```
    pub(crate) struct LastUserRoot {
        pub(crate) user: String,
    }
}

impl Violation for LastUserRoot {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "the image runs as `{}` (the last `USER` of the final stage)",
            self.user
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("switch to a non-root user after the steps that need root".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    let Some(last) = all.len().checked_sub(1) else {
        return;
    };
    if let Some(u) = effective_user(&all, last)
        && is_root_user(&u.args)
    {
        ctx.report(
            LastUserRoot {
                user: u.args.trim().to_owned(),
            },
            first_line(df.file, u),
        );
    }
}
