use shipcheck_report::Severity;
use shipcheck_source::TextRange;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::patterns::{find_private_keys, find_tokens};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks `.env` files for values that look like live credentials: Stripe live keys
    /// (`sk_live_…`), AWS access key IDs (`AKIA…`), GitHub (`ghp_…`), Slack (`xox…`) and the
    /// other formats of `secrets/known-token-format`, and private-key blocks. The value is
    /// masked in every output.
    ///
    /// ## Why is this bad?
    /// A template with a real key in it is a leaked key: it is committed, copied to every
    /// developer machine, and often pasted into CI. Templates hold placeholders (`sk_test_…`
    /// or an empty value); real files (`.env`) must not be committed.
    ///
    /// ## Example
    /// ```sh
    /// # Stripe secret key.
    /// STRIPE_SECRET_KEY=sk_live_51HxAbCdEfGhIjKlMnOpQrSt
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// # Stripe secret key (test mode key for local development).
    /// STRIPE_SECRET_KEY=
    /// ```
    pub(crate) struct EnvLiveLookingKey {
        pub(crate) key: String,
        pub(crate) format: String,
        pub(crate) secret: String,
    }
}

impl Violation for EnvLiveLookingKey {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "`{}` holds what looks like a live {}: `{}`",
            self.key, self.format, self.secret
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("revoke the key and leave the value empty in the template".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.secret)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    for e in &env.env.entries {
        let raw = env.file.slice(e.value_range);
        let base = e.value_range.start as usize;
        if let Some(t) = find_tokens(raw).into_iter().next() {
            ctx.report(
                EnvLiveLookingKey {
                    key: e.key.clone(),
                    format: t.name.to_owned(),
                    secret: t.text.to_owned(),
                },
                env.file.span(TextRange::from_usize(
                    base + t.start,
                    base + t.start + t.text.len(),
                )),
            );
            continue;
        }
        if raw.contains("PRIVATE KEY")
            && let Some(k) = find_private_keys(raw).into_iter().next()
        {
            ctx.report(
                EnvLiveLookingKey {
                    key: e.key.clone(),
                    format: k.kind.to_ascii_lowercase(),
                    secret: k.body.to_owned(),
                },
                env.file
                    .span(TextRange::from_usize(base + k.start, base + k.end)),
            );
        }
    }
}
