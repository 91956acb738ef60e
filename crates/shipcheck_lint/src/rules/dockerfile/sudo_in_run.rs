use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{commands, find_in, run_script};

violation! {
    /// ## What it does
    /// Checks `RUN` instructions that call `sudo`.
    ///
    /// ## Why is this bad?
    /// Build steps already run as the current `USER`; `sudo` in an image means either the
    /// image ships `sudo` and a sudoers entry (a privilege escalation path at run time), or
    /// the step fails. Switch with `USER root` for the steps that need it, then back.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// USER root
    /// RUN apt-get install -y curl
    /// USER app
    /// ```
    pub(crate) struct SudoInRun {
        pub(crate) command: String,
    }
}

impl Violation for SudoInRun {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("`RUN` uses `sudo {}`", self.command)
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `USER root` for the step, then switch back to the unprivileged user".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("RUN")) {
        if let Some(c) = commands(&run_script(ins)).into_iter().find(|c| c.sudo) {
            ctx.report(
                SudoInRun {
                    command: c.program().to_owned(),
                },
                find_in(df.file, ins, "sudo"),
            );
        }
    }
}
