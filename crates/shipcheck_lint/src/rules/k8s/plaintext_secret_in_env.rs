use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::Container;
use crate::patterns::{
    is_non_literal, is_placeholder, is_secret_name, looks_like_credential, url_password,
};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for literal secrets in a container's `env`: a `value` for a name like
    /// `*PASSWORD*`, `*TOKEN*`, `*SECRET*`, `*_KEY`, or any value in a known credential format
    /// (AWS keys, GitHub/Slack tokens, live Stripe keys, private keys) or a URL with a
    /// password.
    ///
    /// ## Why is this bad?
    /// A secret in the manifest is in version control, in every copy of the repository, in CI
    /// logs and in `kubectl get -o yaml` output, and it cannot be rotated without a commit.
    /// Reference a Secret instead.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: hunter2-prod
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: { name: db, key: password }
    /// ```
    pub(crate) struct PlaintextSecretInEnv {
        pub(crate) container: String,
        pub(crate) name: String,
        pub(crate) secret: String,
    }
}

impl Violation for PlaintextSecretInEnv {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "container `{}` sets `{}` to a literal secret `{}`",
            self.container,
            self.name,
            crate::mask::mask(&self.secret)
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("move the value into a Secret and use `valueFrom.secretKeyRef`".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.secret)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    for e in c.get("env").map(|e| e.items()).unwrap_or_default() {
        let (Some(name), Some(v)) = (e.get("name").and_then(|n| n.as_str()), e.get("value")) else {
            continue;
        };
        let Some(value) = v.as_str() else { continue };
        // Left-in placeholders are reported by `k8s/placeholder-value`.
        if is_non_literal(value) || is_placeholder(value) {
            continue;
        }
        let secret = if let Some(pw) = url_password(value) {
            Some(pw)
        } else if looks_like_credential(value)
            || (is_secret_name(name)
                && value.len() >= 6
                && !value.contains(' ')
                && !value.chars().all(|c| c.is_ascii_digit()))
        {
            Some(value)
        } else {
            None
        };
        if let Some(secret) = secret {
            ctx.report(
                PlaintextSecretInEnv {
                    container: c.name.to_owned(),
                    name: name.to_owned(),
                    secret: secret.to_owned(),
                },
                c.object().span(v),
            );
        }
    }
}
