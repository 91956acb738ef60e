use shipcheck_report::Severity;
use shipcheck_source::{SourceFile, TextRange};

use crate::context::LintContext;
use crate::patterns::find_url_credentials;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks every linted file (Kubernetes manifests, compose files, Dockerfiles, `.env`
    /// files) for URLs with a literal password: `scheme://user:password@host`.
    ///
    /// ## Why is this bad?
    /// Connection strings are where passwords hide in plain sight: secret scanners that look
    /// for token formats or `PASSWORD=` names miss `postgres://app:s3cr3t@db/app`. Once
    /// committed, the password is in every clone and every image layer built from it.
    /// References such as `${DB_PASSWORD}`, `$(DB_PASSWORD)` or `{{ … }}` are not reported.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DATABASE_URL
    ///     value: postgres://app:s3cr3t@db:5432/app
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// env:
    ///   - name: DATABASE_URL
    ///     valueFrom:
    ///       secretKeyRef: { name: app-db, key: url }
    /// ```
    ///
    /// ## References
    /// - [OWASP: Use of hard-coded password](https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password)
    pub(crate) struct CredentialsInUrl {
        pub(crate) scheme: String,
        pub(crate) host: String,
        pub(crate) password: String,
    }
}

impl Violation for CredentialsInUrl {
    const FAMILY: Family = Family::Secrets;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "`{}://` URL to `{}` contains the password `{}`",
            self.scheme, self.host, self.password
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("take the password from a secret store or a `${VARIABLE}` and rotate it".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.password)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, file: &SourceFile) {
    if !file.text.contains("://") {
        return;
    }
    for c in find_url_credentials(&file.text) {
        // `$(VAR)` (Kubernetes env expansion) is a reference, not a password.
        if c.password.starts_with("$(") {
            continue;
        }
        ctx.report(
            CredentialsInUrl {
                scheme: c.scheme.to_owned(),
                host: c.host.to_owned(),
                password: c.password.to_owned(),
            },
            file.span(TextRange::from_usize(c.start, c.end)),
        );
    }
}
