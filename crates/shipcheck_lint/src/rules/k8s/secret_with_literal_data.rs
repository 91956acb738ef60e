use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for `Secret` objects that carry their values (`data` or `stringData`) in the
    /// manifest.
    ///
    /// ## Why is this bad?
    /// base64 is not encryption: a Secret committed with its data is a plaintext secret in
    /// version control. Generate Secrets at deploy time (External Secrets, Sealed Secrets,
    /// SOPS) instead.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// stringData:
    ///   password: hunter2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: ExternalSecret
    /// spec:
    ///   secretStoreRef: { name: vault, kind: ClusterSecretStore }
    /// ```
    pub(crate) struct SecretWithLiteralData {
        pub(crate) object: String,
        pub(crate) keys: usize,
    }
}

impl Violation for SecretWithLiteralData {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} contains {} literal value(s)", self.object, self.keys)
    }

    fn fix_title(&self) -> Option<String> {
        Some(
            "keep secret values out of the repository (External Secrets, Sealed Secrets, SOPS)"
                .into(),
        )
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    if obj.kind != "Secret" {
        return;
    }
    for field in ["data", "stringData"] {
        let Some((k, v)) = obj.node.get_entry(field) else {
            continue;
        };
        let keys = v
            .entries()
            .iter()
            .filter(|(_, val)| val.as_str().is_some_and(|s| !s.is_empty()))
            .count();
        if keys > 0 {
            ctx.report(
                SecretWithLiteralData {
                    object: obj.display(),
                    keys,
                },
                obj.file.span(k.range()),
            );
        }
    }
}
