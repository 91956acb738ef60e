use shipcheck_report::Severity;
use shipcheck_source::{FileKind, SourceFile, TextRange};

use crate::context::LintContext;
use crate::patterns::find_private_keys;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks Kubernetes manifests, compose files and Dockerfiles for private-key blocks
    /// (`-----BEGIN … PRIVATE KEY-----` followed by key material). Headers followed by a
    /// placeholder such as `...` are not reported. In `.env` files private keys are reported
    /// by `env/live-looking-key`.
    ///
    /// ## Why is this bad?
    /// A private key in a manifest (a `ConfigMap`, an env value, a literal `Secret`) is
    /// readable by anyone who can read the repository, and TLS or SSH identities cannot be
    /// rotated as easily as a password.
    ///
    /// ## Example
    /// ```yaml
    /// data:
    ///   tls.key: |
    ///     -----BEGIN RSA PRIVATE KEY-----
    ///     MIIEowIBAAKCAQEA…
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # create the Secret out of band (cert-manager, sealed-secrets, external-secrets)
    /// volumes:
    ///   - name: tls
    ///     secret: { secretName: app-tls }
    /// ```
    pub(crate) struct PrivateKeyBlock {
        pub(crate) kind: String,
        pub(crate) material: String,
    }
}

impl Violation for PrivateKeyBlock {
    const FAMILY: Family = Family::Secrets;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("a {} is committed in the file", self.kind)
    }

    fn fix_title(&self) -> Option<String> {
        Some("remove the key, rotate it, and mount it from a secret store".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.material)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, file: &SourceFile) {
    if matches!(file.kind, FileKind::Env { .. }) || !file.text.contains("PRIVATE KEY") {
        return;
    }
    for k in find_private_keys(&file.text) {
        ctx.report(
            PrivateKeyBlock {
                kind: k.kind.to_ascii_lowercase(),
                material: k.body.to_owned(),
            },
            file.span(TextRange::from_usize(k.start, k.end)),
        );
    }
}
