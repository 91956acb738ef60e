use shipcheck_report::Severity;
use shipcheck_source::TextRange;
use shipcheck_source::dotenv::Quote;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks `.env` lines that parse, but that readers disagree on: spaces around `=`
    /// (`KEY = value`) and unquoted values containing spaces (`GREETING=hello world`).
    /// Lines that do not parse at all are reported as `input/parse-error`.
    ///
    /// ## Why is this bad?
    /// The same file is read by Docker Compose, by `docker run --env-file` (which keeps
    /// everything after `=` verbatim), by language dotenv libraries and by shells through
    /// `set -a; . ./.env`. `KEY = value` is a command in a shell, and `hello world` runs
    /// `world`; Compose accepts both. The variable then differs between local runs and
    /// production.
    ///
    /// ## Example
    /// ```sh
    /// APP_NAME = shop
    /// GREETING=hello world
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// APP_NAME=shop
    /// GREETING="hello world"
    /// ```
    pub(crate) struct EnvAmbiguousSyntax {
        pub(crate) key: String,
        pub(crate) problem: &'static str,
    }
}

impl Violation for EnvAmbiguousSyntax {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("`{}` {}", self.key, self.problem)
    }

    fn fix_title(&self) -> Option<String> {
        Some("write `KEY=value` without spaces around `=`, and quote values with spaces".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    let text = env.file.text.as_str();
    for e in &env.env.entries {
        let between = text
            .get(e.key_range.end as usize..e.value_range.start as usize)
            .unwrap_or("");
        let line_span = env.file.span(TextRange::new(
            e.key_range.start,
            e.value_range.end.max(e.key_range.end),
        ));
        if between.trim() == "="
            && between != "="
            && !(between.starts_with('=') && e.value.is_empty())
        {
            ctx.report(
                EnvAmbiguousSyntax {
                    key: e.key.clone(),
                    problem: "has spaces around `=`",
                },
                line_span,
            );
        } else if e.quote == Quote::None && e.value.contains([' ', '\t']) {
            ctx.report(
                EnvAmbiguousSyntax {
                    key: e.key.clone(),
                    problem: "has an unquoted value with spaces",
                },
                line_span,
            );
        }
    }
}
