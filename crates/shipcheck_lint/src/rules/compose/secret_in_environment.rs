use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::patterns::{find_tokens, is_non_literal, is_secret_name};
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks `environment:` entries whose name says they hold a secret (`*_PASSWORD`,
    /// `*_TOKEN`, `*_SECRET`, `*_API_KEY`…) and whose value is a literal rather than a
    /// `${VARIABLE}` reference. Values are masked in every output; values in a known token
    /// format are left to `secrets/known-token-format`.
    ///
    /// ## Why is this bad?
    /// A literal secret in a compose file is committed with it, identical on every host,
    /// and usually never rotated. Compose interpolates `${VAR}` from the environment or an
    /// uncommitted `.env`, and `secrets:` mounts files; both keep the value out of the repo.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     environment:
    ///       POSTGRES_PASSWORD: hunter22
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     environment:
    ///       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}
    /// ```
    pub(crate) struct ServiceSecretInEnvironment {
        pub(crate) service: String,
        pub(crate) name: String,
        pub(crate) value: String,
    }
}

impl Violation for ServiceSecretInEnvironment {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "service `{}` sets `{}` to the literal `{}`",
            self.service, self.name, self.value
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `${VARIABLE:?}` from an uncommitted `.env`, or compose `secrets:`".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.value)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        for (name, value, span) in s.environment() {
            let Some(value) = value else { continue };
            let v = value.trim_matches(['\'', '"']);
            // Known token formats are reported by `secrets/known-token-format`.
            if is_secret_name(&name)
                && !is_non_literal(v)
                && !v.contains('$')
                && find_tokens(v).is_empty()
            {
                ctx.report(
                    ServiceSecretInEnvironment {
                        service: s.name.to_owned(),
                        name,
                        value: v.to_owned(),
                    },
                    span,
                );
            }
        }
    }
}
