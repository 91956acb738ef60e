use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::{is_datastore_image, services};

/// Data directories of datastore images.
const DATA_DIRS: &[&str] = &[
    "/var/lib/postgresql/data",
    "/var/lib/postgresql",
    "/var/lib/mysql",
    "/data/db",
    "/data",
    "/bitnami/postgresql",
    "/bitnami/mysql",
    "/bitnami/redis/data",
    "/usr/share/elasticsearch/data",
    "/usr/share/opensearch/data",
    "/var/lib/rabbitmq",
    "/var/lib/redis",
    "/var/opt/mssql",
    "/var/lib/clickhouse",
    "/var/lib/influxdb2",
];

violation! {
    /// ## What it does
    /// Checks datastore services (Postgres, MySQL/MariaDB, MongoDB, Redis, Elasticsearch…)
    /// whose data directory is a bind mount of a host path (`./data:/var/lib/mysql`)
    /// instead of a named volume.
    ///
    /// ## Why is this bad?
    /// A bind mount ties the data to a path relative to wherever the file was checked out,
    /// with host ownership and permissions the image does not expect (a frequent cause of
    /// databases that fail to start after a UID change), and it is easy to delete with the
    /// checkout. Named volumes are managed by Docker and survive `git clean`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     volumes: ["./pgdata:/var/lib/postgresql/data"]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     volumes: ["pgdata:/var/lib/postgresql/data"]
    /// volumes:
    ///   pgdata:
    /// ```
    pub(crate) struct DatastoreBindMount {
        pub(crate) service: String,
        pub(crate) source: String,
    }
}

impl Violation for DatastoreBindMount {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "service `{}` keeps its data in the host directory `{}`",
            self.service, self.source
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("use a named volume for the data directory".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        if !s.image().is_some_and(is_datastore_image) {
            continue;
        }
        for (source, target, span) in s.volumes() {
            let Some(src) = source else { continue };
            let host = src.starts_with(['.', '/', '~']) || src.starts_with("${");
            if host && DATA_DIRS.contains(&target.trim_end_matches('/')) {
                ctx.report(
                    DatastoreBindMount {
                        service: s.name.to_owned(),
                        source: src,
                    },
                    span,
                );
            }
        }
    }
}
