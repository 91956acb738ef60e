use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks `.env` files for debug switches turned on: `DEBUG`, `APP_DEBUG`,
    /// `FLASK_DEBUG`, `DJANGO_DEBUG` or any `*_DEBUG` set to `true`, `1`, `yes` or `on`.
    ///
    /// ## Why is this bad?
    /// Debug modes show stack traces, settings and sometimes an interactive console to
    /// whoever triggers an error (Werkzeug's debugger is remote code execution). A default
    /// in a template or a committed file is what production gets when nobody overrides it.
    ///
    /// ## Example
    /// ```sh
    /// # Verbose errors.
    /// DEBUG=true
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// # Verbose errors; never enable in production.
    /// DEBUG=false
    /// ```
    pub(crate) struct EnvDebugEnabled {
        pub(crate) key: String,
        pub(crate) value: String,
    }
}

impl Violation for EnvDebugEnabled {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("`{}` turns debug mode on (`{}`)", self.key, self.value)
    }

    fn fix_title(&self) -> Option<String> {
        Some("default to `false` and enable debug only locally".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    for e in &env.env.entries {
        let key = e.key.to_ascii_uppercase();
        if key != "DEBUG" && !key.ends_with("_DEBUG") {
            continue;
        }
        if matches!(
            e.value.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on"
        ) {
            ctx.report(
                EnvDebugEnabled {
                    key: e.key.clone(),
                    value: e.value.trim().to_owned(),
                },
                env.file.span(e.value_range),
            );
        }
    }
}
