use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks that containers set `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an attacker drop tools or modify the application in
    /// place, and hides state the pod will lose on restart. Mount an `emptyDir` for the paths
    /// that must be writable.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   readOnlyRootFilesystem: true
    /// ```
    pub(crate) struct WritableRootFilesystem {
        pub(crate) container: String,
    }
}

impl Violation for WritableRootFilesystem {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "container `{}` has a writable root filesystem",
            self.container
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("set `securityContext.readOnlyRootFilesystem: true` and mount emptyDir volumes where writes are needed".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let sc = c.get("securityContext");
    if sc
        .and_then(|s| s.get("readOnlyRootFilesystem"))
        .and_then(|v| v.as_bool())
        == Some(true)
    {
        return;
    }
    let span = sc
        .and_then(|s| c.entry_span(s, "readOnlyRootFilesystem"))
        .unwrap_or_else(|| c.anchor());
    ctx.report(
        WritableRootFilesystem {
            container: c.name.to_owned(),
        },
        span,
    );
}
