use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for a host port published twice in one compose file (same port and protocol,
    /// on the same host IP or with one of them on all interfaces), by two services or
    /// twice by one.
    ///
    /// ## Why is this bad?
    /// Only one container can bind a host port: the second fails with "port is already
    /// allocated", usually after the first deploy that starts both.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     ports: ["8080:8080"]
    ///   admin:
    ///     ports: ["8080:9000"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   api:
    ///     ports: ["8080:8080"]
    ///   admin:
    ///     ports: ["8081:9000"]
    /// ```
    pub(crate) struct DuplicatePublishedPort {
        pub(crate) port: String,
        pub(crate) first: String,
    }
}

impl Violation for DuplicatePublishedPort {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "host port {} is already published by service `{}`",
            self.port, self.first
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("publish each host port once".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    // (host IP or "" for all interfaces, port, protocol, service)
    let mut seen: Vec<(String, String, String, String)> = Vec::new();
    for s in services(cf) {
        for p in s.ports() {
            let Some(published) = p.published.clone() else {
                continue;
            };
            if published.contains('$') {
                continue;
            }
            let ip = match p.host_ip.as_deref() {
                None | Some("0.0.0.0" | "::" | "") => String::new(),
                Some(ip) => ip.to_owned(),
            };
            // Binding all interfaces conflicts with any address on the same port.
            let clash = seen.iter().find(|(i, port, proto, _)| {
                *port == published
                    && *proto == p.protocol
                    && (*i == ip || i.is_empty() || ip.is_empty())
            });
            match clash {
                Some((_, _, _, first)) => ctx.report(
                    DuplicatePublishedPort {
                        port: published,
                        first: first.clone(),
                    },
                    p.span,
                ),
                None => seen.push((ip, published, p.protocol.clone(), s.name.to_owned())),
            }
        }
    }
}
