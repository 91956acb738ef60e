use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::patterns::{insecure_default, is_secret_name};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks `.env` files for well-known insecure defaults, case-insensitive: `changeme`,
    /// `change-me-in-production`, `*_dev_password`, `sk-dev-master-key` for any variable,
    /// and `secret`, `password`, `admin`, `root`, `postgres`, `123456`… for variables whose
    /// name says they hold a secret.
    ///
    /// ## Why is this bad?
    /// Templates are copied, not edited: the default ships to production more often than
    /// anyone admits, and these values are the first ones every scanner tries. An empty
    /// value that the service refuses to start with is safer than a working weak one.
    ///
    /// ## Example
    /// ```sh
    /// # Admin password for the dashboard.
    /// ADMIN_PASSWORD=changeme
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// # Admin password for the dashboard (required; generate with `openssl rand -hex 32`).
    /// ADMIN_PASSWORD=
    /// ```
    pub(crate) struct EnvInsecureDefault {
        pub(crate) key: String,
        pub(crate) value: String,
    }
}

impl Violation for EnvInsecureDefault {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "`{}` defaults to the well-known value `{}`",
            self.key, self.value
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("leave the value empty and make the service refuse to start without it".into())
    }
}

/// Values reported whatever the variable's name.
fn always_insecure(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    v.starts_with("changeme")
        || v.starts_with("change-me")
        || v.starts_with("change_me")
        || v.ends_with("_dev_password")
        || v.ends_with("-dev-password")
        || v == "sk-dev-master-key"
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    for e in &env.env.entries {
        let v = e.value.trim();
        if v.is_empty() {
            continue;
        }
        if always_insecure(v) || (is_secret_name(&e.key) && insecure_default(v)) {
            ctx.report(
                EnvInsecureDefault {
                    key: e.key.clone(),
                    value: v.to_owned(),
                },
                env.file.span(e.value_range),
            );
        }
    }
}
