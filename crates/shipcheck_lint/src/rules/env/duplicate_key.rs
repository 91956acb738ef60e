use std::collections::HashMap;

use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for a variable defined twice in one `.env` file.
    ///
    /// ## Why is this bad?
    /// Tools disagree on which definition wins (Compose and most loaders take the last,
    /// some take the first), so the value that runs depends on who reads the file, and
    /// editing the first occurrence silently does nothing.
    ///
    /// ## Example
    /// ```sh
    /// LOG_LEVEL=info
    /// LOG_LEVEL=debug
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// LOG_LEVEL=info
    /// ```
    pub(crate) struct EnvDuplicateKey {
        pub(crate) key: String,
        pub(crate) first_line: u32,
    }
}

impl Violation for EnvDuplicateKey {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "`{}` is already defined on line {}",
            self.key, self.first_line
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("keep one definition".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for e in &env.env.entries {
        match seen.get(e.key.as_str()) {
            Some(&first_line) => ctx.report(
                EnvDuplicateKey {
                    key: e.key.clone(),
                    first_line,
                },
                env.file.span(e.key_range),
            ),
            None => {
                seen.insert(&e.key, e.line);
            }
        }
    }
}
