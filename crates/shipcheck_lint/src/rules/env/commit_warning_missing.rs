use std::sync::LazyLock;

use regex::Regex;
use shipcheck_report::Severity;
use shipcheck_source::TextRange;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::rule::{Family, Violation, violation};

static WARNING: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(commit|version control|\bgit\b|gitignore|check(ed)?[ -]in|\bvcs\b|source control)",
    )
    .ok()
});

violation! {
    /// ## What it does
    /// Checks `.env` templates for a comment that warns against committing the real file
    /// (a comment mentioning "commit", "git", ".gitignore" or "version control").
    ///
    /// ## Why is this bad?
    /// The template is copied to `.env` and filled with real secrets next to it. Whoever
    /// does that for the first time should read, in the file itself, that the copy must
    /// never be committed (and that `.env` is in `.gitignore`).
    ///
    /// ## Example
    /// ```sh
    /// # Database password.
    /// DB_PASSWORD=
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// # Copy to .env and fill in. Never commit .env: it is in .gitignore.
    /// # Database password.
    /// DB_PASSWORD=
    /// ```
    pub(crate) struct EnvCommitWarningMissing;
}

impl Violation for EnvCommitWarningMissing {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        "the template does not warn against committing the filled-in file".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a header comment such as `# Copy to .env; never commit .env`".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    if !env.template || env.env.entries.is_empty() {
        return;
    }
    let Some(re) = WARNING.as_ref() else { return };
    if env.env.comments.iter().any(|c| re.is_match(&c.text))
        || env
            .env
            .entries
            .iter()
            .any(|e| e.inline_comment.as_deref().is_some_and(|c| re.is_match(c)))
    {
        return;
    }
    let first = env.file.lines.line_range(&env.file.text, 1);
    ctx.report(
        EnvCommitWarningMissing,
        env.file.span(TextRange::new(0, first.end)),
    );
}
