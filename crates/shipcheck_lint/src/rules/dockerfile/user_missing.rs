use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{effective_user, first_line, stages};

violation! {
    /// ## What it does
    /// Checks for a final build stage without any `USER` instruction (its own, or one
    /// inherited from the stage it builds on).
    ///
    /// ## Why is this bad?
    /// Without `USER` the container runs as the base image's user, almost always root. A
    /// bug in the application is then root inside the container, one kernel or runtime
    /// flaw away from root on the host, and Kubernetes' `runAsNonRoot: true` refuses to
    /// start the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22.11-alpine
    /// COPY . /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22.11-alpine
    /// COPY . /app
    /// USER 1000:1000
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## References
    /// - [Docker: USER](https://docs.docker.com/reference/dockerfile/#user)
    pub(crate) struct UserMissing {
        pub(crate) image: String,
    }
}

impl Violation for UserMissing {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "the final stage (`FROM {}`) sets no `USER`, so it runs as the base image's user (usually root)",
            self.image
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `USER <non-root uid>` before `CMD`/`ENTRYPOINT`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    let Some(last) = all.len().checked_sub(1) else {
        return;
    };
    if effective_user(&all, last).is_none() {
        let s = &all[last];
        ctx.report(
            UserMissing {
                image: s.image.clone(),
            },
            first_line(df.file, s.from),
        );
    }
}
