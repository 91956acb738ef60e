use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Reports a file named on the command line whose kind shipcheck cannot tell: not a
    /// Kubernetes manifest, compose file, Dockerfile or `.env` file. (Such files are
    /// skipped silently when found by walking a directory.)
    ///
    /// ## Why is this bad?
    /// You asked for the file to be checked, and nothing was checked.
    ///
    /// ## Example
    /// ```yaml
    /// # values.yaml of a Helm chart
    /// replicaCount: 1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # lint the rendered chart: helm template . | shipcheck lint -
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// ```
    pub(crate) struct UnknownFileKind;
}

impl Violation for UnknownFileKind {
    const FAMILY: Family = Family::Input;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        "file is not a Kubernetes manifest, compose file, Dockerfile or .env file; not checked"
            .into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("rename it (e.g. `Dockerfile`, `compose.yaml`, `.env.example`) or drop it from the command line".into())
    }
}

/// Reported by the engine; nothing to dispatch.
pub(crate) fn check(_ctx: &mut LintContext<'_>, _node: &()) {}
