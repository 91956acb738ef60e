use shipcheck_report::Severity;
use shipcheck_source::TextRange;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks `EXPOSE` instructions that include port 22 (SSH).
    ///
    /// ## Why is this bad?
    /// An SSH server in an application container is a second way in, with its own keys
    /// and patches to manage. `docker exec` and `kubectl exec` already give operators a
    /// shell, with the orchestrator's authentication and audit log.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 22 8080
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// ```
    pub(crate) struct SshPortExposed;
}

impl Violation for SshPortExposed {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        "the image exposes the SSH port 22".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove port 22 and use `docker exec`/`kubectl exec` for access".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("EXPOSE")) {
        let text = df.file.slice(ins.range);
        let hit = text.match_indices("22").find(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + 2..].chars().next();
            before.is_some_and(char::is_whitespace)
                && after.is_none_or(|c| c.is_whitespace() || c == '/')
        });
        if let Some((i, _)) = hit {
            let start = ins.range.start as usize + i;
            ctx.report(
                SshPortExposed,
                df.file.span(TextRange::from_usize(start, start + 2)),
            );
        }
    }
}
