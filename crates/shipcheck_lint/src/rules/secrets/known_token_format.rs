use shipcheck_report::Severity;
use shipcheck_source::{FileKind, SourceFile, TextRange};

use crate::context::LintContext;
use crate::patterns::find_tokens;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks Kubernetes manifests, compose files and Dockerfiles for tokens with a
    /// recognisable format: AWS access key IDs (`AKIA…`), GitHub (`ghp_…`, `github_pat_…`),
    /// GitLab (`glpat-…`), Slack (`xox…`), Stripe live keys (`sk_live_…`), Google API keys
    /// (`AIza…`), OpenAI, Anthropic, npm and SendGrid keys. In `.env` files the same formats
    /// are reported by `env/live-looking-key`.
    ///
    /// ## Why is this bad?
    /// A token in a committed file is leaked: to everyone with read access, to forks, to CI
    /// logs and to image layers. Bots scan public repositories for these prefixes within
    /// minutes. The token must be revoked, not just removed.
    ///
    /// ## Example
    /// ```yaml
    /// environment:
    ///   GITHUB_TOKEN: ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment:
    ///   GITHUB_TOKEN: ${GITHUB_TOKEN:?set GITHUB_TOKEN}
    /// ```
    ///
    /// ## References
    /// - [GitHub: token formats](https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/)
    pub(crate) struct KnownTokenFormat {
        pub(crate) format: &'static str,
        pub(crate) token: String,
    }
}

impl Violation for KnownTokenFormat {
    const FAMILY: Family = Family::Secrets;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("{} `{}` is committed in the file", self.format, self.token)
    }

    fn fix_title(&self) -> Option<String> {
        Some("revoke the token, then load it from a secret store or an environment variable".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.token)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, file: &SourceFile) {
    if matches!(file.kind, FileKind::Env { .. }) {
        return;
    }
    for t in find_tokens(&file.text) {
        ctx.report(
            KnownTokenFormat {
                format: t.name,
                token: t.text.to_owned(),
            },
            file.span(TextRange::from_usize(t.start, t.start + t.text.len())),
        );
    }
}
