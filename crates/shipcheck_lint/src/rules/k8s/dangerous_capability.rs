use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for containers that add powerful capabilities: `ALL`, `SYS_ADMIN`, `NET_ADMIN`,
    /// `SYS_PTRACE`, `SYS_MODULE`, `DAC_READ_SEARCH`, `BPF`, `PERFMON`, `SYS_RAWIO`.
    ///
    /// ## Why is this bad?
    /// These capabilities are close to root on the host: mounting filesystems, loading kernel
    /// modules, reading any file, tracing other processes. One of them turns an application bug
    /// into a node compromise.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [SYS_ADMIN]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    ///     add: [NET_BIND_SERVICE]
    /// ```
    pub(crate) struct DangerousCapability {
        pub(crate) container: String,
        pub(crate) capability: String,
    }
}

impl Violation for DangerousCapability {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "container `{}` adds capability `{}`",
            self.container, self.capability
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove the capability, or isolate the workload that truly needs it".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    const DANGEROUS: &[&str] = &[
        "ALL",
        "SYS_ADMIN",
        "NET_ADMIN",
        "SYS_PTRACE",
        "SYS_MODULE",
        "DAC_READ_SEARCH",
        "BPF",
        "PERFMON",
        "SYS_RAWIO",
    ];
    let Some(add) = c.node.path(&["securityContext", "capabilities", "add"]) else {
        return;
    };
    for item in add.items() {
        let Some(cap) = item.as_str() else { continue };
        let norm = cap.to_ascii_uppercase();
        let norm = norm.strip_prefix("CAP_").unwrap_or(&norm);
        if DANGEROUS.contains(&norm) {
            ctx.report(
                DangerousCapability {
                    container: c.name.to_owned(),
                    capability: cap.to_owned(),
                },
                c.object().span(item),
            );
        }
    }
}
