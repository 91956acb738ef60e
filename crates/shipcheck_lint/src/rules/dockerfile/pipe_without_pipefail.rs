use shipcheck_report::Severity;
use shipcheck_source::dockerfile::Form;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{commands, find_in, run_script, stages};

violation! {
    /// ## What it does
    /// Checks shell-form `RUN` steps with a pipe (`a | b`) when neither a preceding
    /// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` nor `set -o pipefail` in the step
    /// makes the pipe fail when its first command fails. Pipes fed by `echo`/`printf` are
    /// not reported.
    ///
    /// ## Why is this bad?
    /// A pipe's status is that of its last command: `curl https://… | tar -xz` or
    /// `wget -O- … | sh` "succeeds" when the download fails, and the build continues
    /// with a broken or empty install.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -fsSL https://example.com/install.sh | bash
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN curl -fsSL https://example.com/install.sh | bash
    /// ```
    ///
    /// ## References
    /// - [hadolint DL4006](https://github.com/hadolint/hadolint/wiki/DL4006)
    pub(crate) struct PipeWithoutPipefail {
        pub(crate) first: String,
    }
}

impl Violation for PipeWithoutPipefail {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "a failure of `{}` is hidden by the pipe that follows it",
            self.first
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the `RUN`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for stage in stages(df) {
        let mut pipefail = false;
        let mut posix = true;
        for ins in &stage.body {
            if ins.is("SHELL") {
                pipefail = ins.args.contains("pipefail");
                let a = ins.args.to_ascii_lowercase();
                posix = !(a.contains("pwsh") || a.contains("powershell") || a.contains("cmd"));
                continue;
            }
            if !ins.is("RUN") || pipefail || !posix || matches!(ins.form, Form::Exec(_)) {
                continue;
            }
            let script = run_script(ins);
            if !script.contains('|') || script.contains("pipefail") {
                continue;
            }
            // `echo … | sha256sum -c`: a failing `echo` is not a failure worth hiding.
            if let Some(c) = commands(&script)
                .into_iter()
                .find(|c| c.piped && !matches!(c.program(), "echo" | "printf" | "yes" | "true"))
            {
                let span = find_in(df.file, ins, "|");
                ctx.report(
                    PipeWithoutPipefail {
                        first: c.program().to_owned(),
                    },
                    span,
                );
            }
        }
    }
}
