use std::sync::LazyLock;

use regex::Regex;
use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::ComposeFile;
use crate::patterns::is_secret_name;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

static DEFAULTED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}$]+)\}").ok());

violation! {
    /// ## What it does
    /// Checks secret-named `environment:` entries whose value is a variable with a literal
    /// fallback, `${DB_PASSWORD:-postgres}` or `${DB_PASSWORD-postgres}`. The fallback is
    /// masked in every output.
    ///
    /// ## Why is this bad?
    /// The fallback is what runs when nobody sets the variable, which is exactly the
    /// forgotten production host: the secret silently becomes a value published in the
    /// repository. `${VAR:?message}` fails instead; `secrets:` never falls back.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     environment:
    ///       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16.4
    ///     environment:
    ///       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}
    /// ```
    pub(crate) struct ServiceSecretDefaultValue {
        pub(crate) service: String,
        pub(crate) name: String,
        pub(crate) fallback: String,
    }
}

impl Violation for ServiceSecretDefaultValue {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "service `{}` falls back to `{}` when `{}` is unset",
            self.service, self.fallback, self.name
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("require the variable with `${VARIABLE:?message}`".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.fallback)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    let Some(re) = DEFAULTED.as_ref() else { return };
    for s in services(cf) {
        for (name, value, span) in s.environment() {
            let Some(value) = value else { continue };
            if !is_secret_name(&name) {
                continue;
            }
            if let Some(c) = re.captures(&value)
                && let Some(fallback) = c.get(2)
            {
                ctx.report(
                    ServiceSecretDefaultValue {
                        service: s.name.to_owned(),
                        name,
                        fallback: fallback.as_str().to_owned(),
                    },
                    span,
                );
            }
        }
    }
}
