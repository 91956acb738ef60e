use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::patterns::{disables_tls, is_plain_redis};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for connection strings that turn TLS off (`sslmode=disable`, `ssl=false`,
    /// `useSSL=false`), and for plain `redis://` URLs in production namespaces (reported as
    /// info).
    ///
    /// ## Why is this bad?
    /// Database traffic carries credentials and personal data; with TLS disabled anyone on the
    /// network path can read or alter it.
    ///
    /// ## Example
    /// ```yaml
    /// value: postgres://db:5432/app?sslmode=disable
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// value: postgres://db:5432/app?sslmode=verify-full
    /// ```
    pub(crate) struct DatabaseUrlWithoutTls {
        pub(crate) object: String,
        pub(crate) detail: &'static str,
    }
}

impl Violation for DatabaseUrlWithoutTls {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} {}", self.object, self.detail)
    }

    fn fix_title(&self) -> Option<String> {
        Some("require TLS (`sslmode=verify-full`, `rediss://`)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    let prod = ctx.is_production(obj);
    let mut found = Vec::new();
    obj.node.walk(&mut |n| {
        if let Some(s) = n.as_str()
            && s.len() < 2048
        {
            if disables_tls(s) {
                found.push((n, "has a connection string with TLS disabled"));
            } else if prod && is_plain_redis(s) {
                found.push((
                    n,
                    "uses a plain-text redis:// URL in a production namespace",
                ));
            }
        }
    });
    for (n, detail) in found {
        ctx.report(
            DatabaseUrlWithoutTls {
                object: obj.display(),
                detail,
            },
            obj.span(n),
        );
    }
}
