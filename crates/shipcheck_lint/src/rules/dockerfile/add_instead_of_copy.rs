use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{add_sources, first_line};

/// Local archives `ADD` extracts.
const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
];

violation! {
    /// ## What it does
    /// Checks for `ADD` of local files or directories that are not archives, where `COPY`
    /// does the same thing.
    ///
    /// ## Why is this bad?
    /// `ADD` has hidden behaviours: it extracts local archives and downloads URLs. Using it
    /// for plain files makes a reader (and a later change of file name to `.tar`) wonder
    /// what it will do; `COPY` only copies.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD requirements.txt /app/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// COPY requirements.txt /app/
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3020](https://github.com/hadolint/hadolint/wiki/DL3020)
    pub(crate) struct AddInsteadOfCopy {
        pub(crate) source: String,
    }
}

impl Violation for AddInsteadOfCopy {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "`ADD {}` copies a local file; `COPY` does this without side effects",
            self.source
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `COPY`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("ADD")) {
        let sources = add_sources(ins);
        let special = |s: &String| {
            let l = s.to_ascii_lowercase();
            l.contains("://")
                || l.starts_with("git@")
                || l.ends_with(".git")
                || l.contains('$')
                || ARCHIVES.iter().any(|a| l.ends_with(a))
        };
        if !sources.is_empty() && !sources.iter().any(special) {
            ctx.report(
                AddInsteadOfCopy {
                    source: sources.join(" "),
                },
                first_line(df.file, ins),
            );
        }
    }
}
