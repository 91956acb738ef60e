use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::patterns::is_placeholder;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for placeholder values left in a manifest: `REPLACE_WITH_…`, `<your-…>`,
    /// `changeme`, `xxxx`.
    ///
    /// ## Why is this bad?
    /// A placeholder that reaches production is either a broken configuration or, worse, a
    /// well-known default password.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: API_URL
    ///     value: <your-api-url>
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// env:
    ///   - name: API_URL
    ///     value: https://api.internal.example.com
    /// ```
    pub(crate) struct PlaceholderValue {
        pub(crate) object: String,
        pub(crate) value: String,
    }
}

impl Violation for PlaceholderValue {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!("{} contains the placeholder `{}`", self.object, self.value)
    }

    fn fix_title(&self) -> Option<String> {
        Some("replace the placeholder with the real value (or a reference to a Secret)".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    let mut found = Vec::new();
    obj.node.walk(&mut |n| {
        if let Some(s) = n.as_str()
            && s.len() < 200
            && is_placeholder(s)
        {
            found.push(n);
        }
    });
    for n in found {
        let value: String = n.as_str().unwrap_or("").chars().take(40).collect();
        ctx.report(
            PlaceholderValue {
                object: obj.display(),
                value,
            },
            obj.span(n),
        );
    }
}
