use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{add_sources, find_in};

violation! {
    /// ## What it does
    /// Checks for `ADD` with an `http://` or `https://` source.
    ///
    /// ## Why is this bad?
    /// `ADD <url>` downloads at build time without a checksum (unless `--checksum` is
    /// given): whatever the server returns that day goes into the image, and it cannot be
    /// verified or cached sensibly. `curl` plus a checksum check, or `ADD --checksum=…`,
    /// makes the download reproducible.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://example.com/tool.tar.gz /opt/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
    /// ```
    pub(crate) struct AddFromUrl {
        pub(crate) url: String,
    }
}

impl Violation for AddFromUrl {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("`ADD` downloads `{}` without a checksum", self.url)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `--checksum=sha256:…`, or download with curl and verify the checksum".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("ADD")) {
        if ins.flag("checksum").is_some() {
            continue;
        }
        for src in add_sources(ins) {
            if src.starts_with("http://") || src.starts_with("https://") {
                ctx.report(AddFromUrl { url: src.clone() }, find_in(df.file, ins, &src));
            }
        }
    }
}
