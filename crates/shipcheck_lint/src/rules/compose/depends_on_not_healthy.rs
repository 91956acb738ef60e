use shipcheck_report::Severity;
use shipcheck_source::yaml::Node as Y;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks `depends_on` entries that wait only for the dependency to start: the list
    /// form, or a `condition` other than `service_healthy` or
    /// `service_completed_successfully`.
    ///
    /// ## Why is this bad?
    /// "Started" means the process exists, not that the database accepts connections: the
    /// dependent service races it on every `up`, fails its migrations, and restarts (or
    /// does not). With a health check on the dependency, `service_healthy` removes the race.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:3.2.0
    ///     depends_on: [db]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:3.2.0
    ///     depends_on:
    ///       db: { condition: service_healthy }
    /// ```
    pub(crate) struct DependsOnNotHealthy {
        pub(crate) service: String,
        pub(crate) dependency: String,
    }
}

impl Violation for DependsOnNotHealthy {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        format!(
            "service `{}` starts when `{}` has started, not when it is healthy",
            self.service, self.dependency
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `condition: service_healthy` (and give the dependency a healthcheck)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        let Some(deps) = s.get("depends_on") else {
            continue;
        };
        let report = |ctx: &mut LintContext<'_>, dep: &str, node: &Y| {
            ctx.report(
                DependsOnNotHealthy {
                    service: s.name.to_owned(),
                    dependency: dep.to_owned(),
                },
                s.span(node),
            );
        };
        if deps.is_map() {
            for (k, v) in deps.entries() {
                let cond = v
                    .get("condition")
                    .and_then(Y::as_str)
                    .unwrap_or("service_started");
                if !matches!(cond, "service_healthy" | "service_completed_successfully")
                    && let Some(dep) = k.as_str()
                {
                    report(ctx, dep, k);
                }
            }
        } else {
            for item in deps.items() {
                if let Some(dep) = item.as_str() {
                    report(ctx, dep, item);
                }
            }
        }
    }
}
