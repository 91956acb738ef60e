use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{first_line, stages};

violation! {
    /// ## What it does
    /// Checks build stages with more than one `CMD` (or more than one `ENTRYPOINT`);
    /// every one but the last is reported.
    ///
    /// ## Why is this bad?
    /// Only the last one takes effect. The earlier ones are dead code that a reader takes
    /// for what the container runs, usually a leftover from a debug session.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["npm", "run", "dev"]
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4003](https://github.com/hadolint/hadolint/wiki/DL4003)
    pub(crate) struct MultipleCmd {
        pub(crate) keyword: String,
    }
}

impl Violation for MultipleCmd {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "this `{}` is overridden by a later one in the same stage",
            self.keyword
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("keep only the last one".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for stage in stages(df) {
        for kw in ["CMD", "ENTRYPOINT"] {
            let all: Vec<_> = stage.body.iter().filter(|i| i.is(kw)).collect();
            for ins in all.iter().take(all.len().saturating_sub(1)) {
                ctx.report(
                    MultipleCmd {
                        keyword: kw.to_owned(),
                    },
                    first_line(df.file, ins),
                );
            }
        }
    }
}
