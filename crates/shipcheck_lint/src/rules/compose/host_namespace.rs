use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for services that share the host's network, PID, IPC or user namespace:
    /// `network_mode: host`, `pid: host`, `ipc: host`, `userns_mode: host`.
    ///
    /// ## Why is this bad?
    /// Sharing a host namespace removes a layer of isolation: with the host network the
    /// service can bind any host port and reach services on `localhost`; with the host PID
    /// namespace it can see and signal every process on the machine.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     image: ghcr.io/acme/app:1.4.2
    ///     network_mode: host
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   app:
    ///     image: ghcr.io/acme/app:1.4.2
    ///     ports: ["127.0.0.1:8080:8080"]
    /// ```
    pub(crate) struct ServiceHostNamespaceShared {
        pub(crate) service: String,
        pub(crate) field: &'static str,
    }
}

impl Violation for ServiceHostNamespaceShared {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "service `{}` shares the host namespace (`{}: host`)",
            self.service, self.field
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("use the default namespaces and publish only the ports you need".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        for field in ["network_mode", "pid", "ipc", "userns_mode"] {
            if s.get(field).and_then(|v| v.as_str()) == Some("host")
                && let Some(span) = s.entry(s.node, field)
            {
                ctx.report(
                    ServiceHostNamespaceShared {
                        service: s.name.to_owned(),
                        field,
                    },
                    span,
                );
            }
        }
    }
}
