use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for services without a `healthcheck`, or with `healthcheck: { disable: true }`.
    /// Services built from a Dockerfile (`build:`) are skipped, since the Dockerfile can
    /// declare `HEALTHCHECK` (see `dockerfile/healthcheck-missing`).
    ///
    /// ## Why is this bad?
    /// Without a health check Docker only knows whether the process runs, not whether it
    /// answers: `depends_on: condition: service_healthy` cannot work, `docker ps` shows a
    /// deadlocked service as `Up`, and orchestrators cannot replace it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     healthcheck:
    ///       test: ["CMD-SHELL", "pg_isready -U postgres"]
    ///       interval: 10s
    /// ```
    pub(crate) struct ServiceHealthcheckMissing {
        pub(crate) service: String,
        pub(crate) disabled: bool,
    }
}

impl Violation for ServiceHealthcheckMissing {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        if self.disabled {
            format!("service `{}` disables its health check", self.service)
        } else {
            format!("service `{}` has no health check", self.service)
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a `healthcheck` that exercises the service".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        match s.get("healthcheck") {
            Some(h) if h.get("disable").and_then(|v| v.as_bool()) == Some(true) => {
                let span = s.entry(h, "disable").unwrap_or_else(|| s.anchor());
                ctx.report(
                    ServiceHealthcheckMissing {
                        service: s.name.to_owned(),
                        disabled: true,
                    },
                    span,
                );
            }
            Some(_) => {}
            None if s.get("build").is_none() && !s.is_partial() => ctx.report(
                ServiceHealthcheckMissing {
                    service: s.name.to_owned(),
                    disabled: false,
                },
                s.anchor(),
            ),
            None => {}
        }
    }
}
