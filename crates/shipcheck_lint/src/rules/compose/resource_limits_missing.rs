use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for services without a memory limit (`deploy.resources.limits.memory` or
    /// `mem_limit`); the message also says when there is no CPU limit.
    ///
    /// ## Why is this bad?
    /// Without a memory limit one leaking service can push the whole host into swap or the
    /// kernel OOM killer, which then picks a victim (often the database) instead of the
    /// culprit.
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
    ///     deploy:
    ///       resources:
    ///         limits: { memory: 512M, cpus: "1.0" }
    /// ```
    pub(crate) struct ServiceResourceLimitsMissing {
        pub(crate) service: String,
        pub(crate) cpu_too: bool,
    }
}

impl Violation for ServiceResourceLimitsMissing {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        if self.cpu_too {
            format!("service `{}` has no memory or CPU limit", self.service)
        } else {
            format!("service `{}` has no memory limit", self.service)
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `deploy.resources.limits.memory` (and `cpus`)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf).into_iter().filter(|s| !s.is_partial()) {
        let limits = s.node.path(&["deploy", "resources", "limits"]);
        let memory = s.get("mem_limit").is_some() || limits.and_then(|l| l.get("memory")).is_some();
        let cpu = s.get("cpus").is_some() || limits.and_then(|l| l.get("cpus")).is_some();
        if !memory {
            ctx.report(
                ServiceResourceLimitsMissing {
                    service: s.name.to_owned(),
                    cpu_too: !cpu,
                },
                s.anchor(),
            );
        }
    }
}
