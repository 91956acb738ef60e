use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for services whose `logging:` uses the `json-file` driver (the default when no
    /// driver is named) without a `max-size` option.
    ///
    /// ## Why is this bad?
    /// `json-file` never rotates by default: a chatty service fills the disk with its logs
    /// and takes the host down with it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:3.2.0
    ///     logging:
    ///       driver: json-file
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:3.2.0
    ///     logging:
    ///       driver: json-file
    ///       options: { max-size: 10m, max-file: "3" }
    /// ```
    ///
    /// ## Options
    /// Services without a `logging:` key are not reported: the daemon's `log-opts` may rotate.
    ///
    /// ## References
    /// - [Docker: JSON File logging driver](https://docs.docker.com/engine/logging/drivers/json-file/)
    pub(crate) struct ServiceLoggingRotationMissing {
        pub(crate) service: String,
    }
}

impl Violation for ServiceLoggingRotationMissing {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "service `{}` logs to json-file without rotation",
            self.service
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `logging.options.max-size` (and `max-file`), or use the `local` driver".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        let Some(logging) = s.get("logging") else {
            continue;
        };
        let driver = logging
            .get("driver")
            .and_then(|d| d.as_str())
            .unwrap_or("json-file");
        if driver != "json-file" {
            continue;
        }
        if logging.path(&["options", "max-size"]).is_none() {
            let span = s.key_span(s.node, "logging").unwrap_or_else(|| s.anchor());
            ctx.report(
                ServiceLoggingRotationMissing {
                    service: s.name.to_owned(),
                },
                span,
            );
        }
    }
}
