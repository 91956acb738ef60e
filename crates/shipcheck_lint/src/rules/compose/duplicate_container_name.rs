use std::collections::HashMap;

use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for two services of one compose file with the same `container_name`.
    ///
    /// ## Why is this bad?
    /// Container names are unique per Docker host: the second service fails to start
    /// with "Conflict. The container name is already in use".
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     container_name: app
    ///   worker:
    ///     container_name: app
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     container_name: app-api
    ///   worker:
    ///     container_name: app-worker
    /// ```
    pub(crate) struct DuplicateContainerName {
        pub(crate) name: String,
        pub(crate) first: String,
    }
}

impl Violation for DuplicateContainerName {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "container name `{}` is already used by service `{}`",
            self.name, self.first
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("give each service its own `container_name`, or drop it".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    let mut seen: HashMap<String, String> = HashMap::new();
    for s in services(cf) {
        let Some(name) = s.get("container_name").and_then(|v| v.as_str()) else {
            continue;
        };
        match seen.get(name) {
            Some(first) => {
                if let Some(span) = s.entry(s.node, "container_name") {
                    ctx.report(
                        DuplicateContainerName {
                            name: name.to_owned(),
                            first: first.clone(),
                        },
                        span,
                    );
                }
            }
            None => {
                seen.insert(name.to_owned(), s.name.to_owned());
            }
        }
    }
}
