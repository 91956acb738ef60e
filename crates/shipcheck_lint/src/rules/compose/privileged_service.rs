use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for compose services with `privileged: true`.
    ///
    /// ## Why is this bad?
    /// A privileged container gets every capability and the host's devices; escaping it is
    /// trivial, so a bug in the service becomes root on the host.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: ghcr.io/acme/app:1.4.2
    ///     privileged: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: ghcr.io/acme/app:1.4.2
    ///     cap_add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## References
    /// - [Compose file reference: privileged](https://docs.docker.com/reference/compose-file/services/#privileged)
    pub(crate) struct PrivilegedService {
        pub(crate) service: String,
    }
}

impl Violation for PrivilegedService {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("service `{}` runs privileged", self.service)
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove `privileged: true` and add only the capabilities the service needs".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        if s.get("privileged").and_then(|v| v.as_bool()) == Some(true)
            && let Some(span) = s.entry(s.node, "privileged")
        {
            ctx.report(
                PrivilegedService {
                    service: s.name.to_owned(),
                },
                span,
            );
        }
    }
}
