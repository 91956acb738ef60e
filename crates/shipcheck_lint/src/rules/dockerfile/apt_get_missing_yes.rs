use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{Command, commands, find_in, run_script};

violation! {
    /// ## What it does
    /// Checks `apt-get install` (and `apt install`) without `-y`/`--yes`/`--assume-yes`
    /// (or `-qq`, which implies it).
    ///
    /// ## Why is this bad?
    /// Without it apt asks for confirmation; the build has no terminal, so the step aborts
    /// as soon as an install pulls in an extra package, which depends on the mirror of the
    /// day.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3014](https://github.com/hadolint/hadolint/wiki/DL3014)
    pub(crate) struct AptGetMissingYes;
}

impl Violation for AptGetMissingYes {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        "`apt-get install` runs without `-y` and would wait for confirmation".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `-y`".into())
    }
}

/// True for `apt-get install …` / `apt install …`.
pub(crate) fn is_apt_install(c: &Command) -> bool {
    matches!(c.program(), "apt-get" | "apt")
        && c.words
            .iter()
            .skip(1)
            .find(|w| !w.starts_with('-'))
            .map(String::as_str)
            == Some("install")
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("RUN")) {
        for c in commands(&run_script(ins)) {
            if !is_apt_install(&c) {
                continue;
            }
            let yes = c.words.iter().skip(1).any(|w| {
                matches!(
                    w.as_str(),
                    "--yes" | "--assume-yes" | "-qq" | "--quiet=2" | "-q=2"
                ) || (w.starts_with('-') && !w.starts_with("--") && w.contains('y'))
                    || w.starts_with("--force-yes")
            });
            if !yes {
                ctx.report(AptGetMissingYes, find_in(df.file, ins, "install"));
            }
        }
    }
}
