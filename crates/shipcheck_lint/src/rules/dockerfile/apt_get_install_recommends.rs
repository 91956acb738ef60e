use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::apt_get_missing_yes::is_apt_install;
use crate::rules::dockerfile::shell::{commands, find_in, run_script};

violation! {
    /// ## What it does
    /// Checks `apt-get install` without `--no-install-recommends`.
    ///
    /// ## Why is this bad?
    /// Recommended packages are installed by default: often hundreds of megabytes of
    /// documentation, fonts and tools nobody asked for, each one more thing to patch and
    /// a larger attack surface.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3015](https://github.com/hadolint/hadolint/wiki/DL3015)
    pub(crate) struct AptGetInstallRecommends;
}

impl Violation for AptGetInstallRecommends {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        "`apt-get install` also installs recommended packages".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `--no-install-recommends`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("RUN")) {
        for c in commands(&run_script(ins)) {
            if is_apt_install(&c)
                && !c.has("--no-install-recommends")
                && !c.words.iter().any(|w| w.contains("Install-Recommends"))
            {
                ctx.report(AptGetInstallRecommends, find_in(df.file, ins, "install"));
            }
        }
    }
}
