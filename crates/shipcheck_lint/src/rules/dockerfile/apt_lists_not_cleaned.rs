use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::apt_get_missing_yes::is_apt_install;
use crate::rules::dockerfile::shell::{commands, first_line, run_script, stages};

violation! {
    /// ## What it does
    /// Checks `RUN` steps of the final stage that `apt-get install` without removing
    /// `/var/lib/apt/lists` in the same step (steps with a cache mount are skipped).
    ///
    /// ## Why is this bad?
    /// The package lists (tens of megabytes) stay in the layer; deleting them in a later
    /// `RUN` does not shrink the image, because layers only add.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///  && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3009](https://github.com/hadolint/hadolint/wiki/DL3009)
    pub(crate) struct AptListsNotCleaned;
}

impl Violation for AptListsNotCleaned {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        "`apt-get install` leaves the package lists in the layer".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("end the same `RUN` with `rm -rf /var/lib/apt/lists/*`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    let Some(last) = all.last() else { return };
    for ins in last.body.iter().filter(|i| i.is("RUN")) {
        if ins
            .flags
            .iter()
            .any(|f| f.name == "mount" && f.value.as_deref().is_some_and(|v| v.contains("cache")))
        {
            continue;
        }
        let cmds = commands(&run_script(ins));
        let installs = cmds.iter().any(is_apt_install);
        let cleans = cmds.iter().any(|c| {
            c.program() == "rm" && c.words.iter().any(|w| w.starts_with("/var/lib/apt/lists"))
        });
        if installs && !cleans {
            ctx.report(AptListsNotCleaned, first_line(df.file, ins));
        }
    }
}
