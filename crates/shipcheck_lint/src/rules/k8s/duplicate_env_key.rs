use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for environment variables defined more than once in a container's `env`.
    ///
    /// ## Why is this bad?
    /// When a name appears twice, the last value wins silently; whoever edits the first one
    /// wonders why nothing changes. It usually means a merge or a templating mistake.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: LOG_LEVEL
    ///     value: info
    ///   - name: LOG_LEVEL
    ///     value: debug
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// env:
    ///   - name: LOG_LEVEL
    ///     value: info
    /// ```
    pub(crate) struct DuplicateEnvKey {
        pub(crate) container: String,
        pub(crate) name: String,
    }
}

impl Violation for DuplicateEnvKey {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "container `{}` defines env `{}` more than once",
            self.container, self.name
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("keep one definition".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let mut seen = std::collections::HashSet::new();
    for e in c.get("env").map(|e| e.items()).unwrap_or_default() {
        let Some((k, v)) = e.get_entry("name") else {
            continue;
        };
        let Some(name) = v.as_str() else { continue };
        if !seen.insert(name) {
            ctx.report(
                DuplicateEnvKey {
                    container: c.name.to_owned(),
                    name: name.to_owned(),
                },
                c.object().file.span(k.range().cover(v.range())),
            );
        }
    }
}
