use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::{is_datastore_image, services};

/// Default ports of databases, caches and brokers.
const DATASTORE_PORTS: &[&str] = &[
    "5432", "3306", "6379", "27017", "9200", "9300", "11211", "5984", "9042", "1433", "26257",
    "8086", "7687", "2379", "5672",
];

violation! {
    /// ## What it does
    /// Checks for ports of databases, caches and brokers (by image, or by a well-known
    /// port such as 5432, 3306, 6379, 27017, 9200) published on all interfaces: a `ports:`
    /// entry without a loopback host IP.
    ///
    /// ## Why is this bad?
    /// Docker publishes ports on `0.0.0.0` and inserts its own firewall rules, which bypass
    /// `ufw` and similar host firewalls. A database port published this way is reachable
    /// from the internet on any host with a public address; the services that need it reach
    /// it over the compose network without publishing anything.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     ports: ["5432:5432"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     ports: ["127.0.0.1:5432:5432"]
    /// ```
    ///
    /// ## References
    /// - [Docker: packet filtering and firewalls](https://docs.docker.com/engine/network/packet-filtering-firewalls/)
    pub(crate) struct DatastorePortPublished {
        pub(crate) service: String,
        pub(crate) port: String,
    }
}

impl Violation for DatastorePortPublished {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "service `{}` publishes datastore port {} on all interfaces",
            self.service, self.port
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("drop the `ports:` entry, or bind it to `127.0.0.1`".into())
    }
}

fn loopback(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1" || ip == "localhost"
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        let datastore = s.image().is_some_and(is_datastore_image);
        for p in s.ports() {
            if p.host_ip.as_deref().is_some_and(loopback) {
                continue;
            }
            if datastore || DATASTORE_PORTS.contains(&p.target.as_str()) {
                ctx.report(
                    DatastorePortPublished {
                        service: s.name.to_owned(),
                        port: p.target.clone(),
                    },
                    p.span,
                );
            }
        }
    }
}
