use shipcheck_report::Severity;
use shipcheck_source::dockerfile::Form;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{first_line, stages};

violation! {
    /// ## What it does
    /// Checks `CMD` and `ENTRYPOINT` of the final stage written in shell form
    /// (`CMD node server.js`) instead of exec form (`CMD ["node", "server.js"]`).
    ///
    /// ## Why is this bad?
    /// Shell form runs `/bin/sh -c "…"`: the shell is PID 1, does not forward `SIGTERM`,
    /// and the application is killed after the grace period instead of shutting down
    /// cleanly, on every deploy. It also needs a shell in the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD node server.js
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3025](https://github.com/hadolint/hadolint/wiki/DL3025)
    pub(crate) struct ShellFormCommand {
        pub(crate) keyword: String,
    }
}

impl Violation for ShellFormCommand {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "`{}` in shell form runs under `/bin/sh -c`, which does not forward signals",
            self.keyword
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("use the exec form: `[\"program\", \"arg\"]`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    let Some(last) = all.last() else { return };
    for ins in last
        .body
        .iter()
        .filter(|i| i.is("CMD") || i.is("ENTRYPOINT"))
    {
        if ins.form == Form::Shell && !ins.args.trim().is_empty() {
            ctx.report(
                ShellFormCommand {
                    keyword: ins.keyword.clone(),
                },
                first_line(df.file, ins),
            );
        }
    }
}
