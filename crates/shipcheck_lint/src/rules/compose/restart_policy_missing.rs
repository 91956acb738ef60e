use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for services with neither `restart:` nor `deploy.restart_policy`.
    ///
    /// ## Why is this bad?
    /// The default policy is `no`: a service that crashes, or every service after the host
    /// reboots, stays down until someone notices. Say `restart: "no"` explicitly for
    /// one-shot jobs.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:3.2.0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: ghcr.io/acme/api:3.2.0
    ///     restart: unless-stopped
    /// ```
    ///
    /// ## References
    /// - [Compose file reference: restart](https://docs.docker.com/reference/compose-file/services/#restart)
    pub(crate) struct ServiceRestartPolicyMissing {
        pub(crate) service: String,
    }
}

impl Violation for ServiceRestartPolicyMissing {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("service `{}` has no restart policy", self.service)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `restart: unless-stopped` (or `restart: \"no\"` for one-shot jobs)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        if !s.is_partial()
            && s.get("restart").is_none()
            && s.node.path(&["deploy", "restart_policy"]).is_none()
            && s.get("extends").is_none()
        {
            ctx.report(
                ServiceRestartPolicyMissing {
                    service: s.name.to_owned(),
                },
                s.anchor(),
            );
        }
    }
}
