use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

/// Host paths that give a container control of the host.
const SENSITIVE: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/",
    "/etc",
    "/root",
    "/proc",
    "/sys",
    "/boot",
    "/dev",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/home",
];

violation! {
    /// ## What it does
    /// Checks for bind mounts of the Docker or containerd socket and of sensitive host
    /// directories (`/`, `/etc`, `/root`, `/proc`, `/sys`, `/dev`, `/boot`, `/home`,
    /// `/var/lib/docker`, `/var/lib/kubelet`).
    ///
    /// ## Why is this bad?
    /// Access to the Docker socket is root on the host: the service can start a privileged
    /// container that mounts `/`. Mounting host system directories lets the container read
    /// credentials or change the host. Reverse proxies and agents that really need the
    /// socket should mount it read-only through a socket proxy and say so in a suppression.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   proxy:
    ///     image: traefik:v3.1
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   proxy:
    ///     image: traefik:v3.1
    ///     environment:
    ///       DOCKER_HOST: tcp://socket-proxy:2375
    /// ```
    ///
    /// ## References
    /// - [OWASP Docker Security: do not expose the Docker daemon socket](https://cheatsheetseries.owasp.org/cheatsheets/Docker_Security_Cheat_Sheet.html)
    pub(crate) struct SensitiveHostMount {
        pub(crate) service: String,
        pub(crate) path: String,
    }
}

impl Violation for SensitiveHostMount {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "service `{}` mounts the host path `{}`",
            self.service, self.path
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("mount only the application's own data, or use a socket proxy".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        for (source, _, span) in s.volumes() {
            let Some(src) = source else { continue };
            let norm = src.trim_end_matches('/');
            let norm = if norm.is_empty() && src.starts_with('/') {
                "/"
            } else {
                norm
            };
            if SENSITIVE.contains(&norm) {
                ctx.report(
                    SensitiveHostMount {
                        service: s.name.to_owned(),
                        path: src.clone(),
                    },
                    span,
                );
            }
        }
    }
}
