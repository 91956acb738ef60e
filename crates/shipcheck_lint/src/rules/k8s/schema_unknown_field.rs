use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::k8s::schema_check::{SchemaProblem, validate};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks core Kubernetes objects for fields the official Kubernetes OpenAPI schema does not
    /// define, and suggests the field that was probably meant.
    ///
    /// Checked kinds: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, Service, Ingress,
    /// ConfigMap, Secret, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy and
    /// ServiceAccount, at their current API versions.
    ///
    /// ## Why is this bad?
    /// A misspelt field is either rejected by the API server (strict field validation) or, with
    /// older clients, silently dropped: a `livenessprobe` is no liveness probe at all, and the
    /// manifest looks right in review.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     livenessprobe:
    ///       httpGet: { path: /healthz, port: 8080 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     livenessProbe:
    ///       httpGet: { path: /healthz, port: 8080 }
    /// ```
    ///
    /// ## Options
    /// `options.kubernetes_version` in `.shipcheck.yaml` selects the schemas (vendored for
    /// 1.25–1.37; other versions use the nearest vendored one, with a config warning). Objects
    /// of other kinds, custom resources and removed API versions are not checked.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation>
    pub(crate) struct SchemaUnknownField {
        pub(crate) object: String,
        pub(crate) field: String,
        pub(crate) parent: String,
        pub(crate) suggestion: Option<String>,
    }
}

impl Violation for SchemaUnknownField {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        let place = if self.parent.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("in `{}`", self.parent)
        };
        match &self.suggestion {
            Some(s) => format!(
                "{} has unknown field `{}` {place}; did you mean `{s}`?",
                self.object, self.field
            ),
            None => format!("{} has unknown field `{}` {place}", self.object, self.field),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(match &self.suggestion {
            Some(s) if s.contains('.') => format!("move `{}` to `{s}`", self.field),
            Some(s) => format!("rename `{}` to `{s}`", self.field),
            None => format!(
                "remove `{}` or move it where the Kubernetes API defines it",
                self.field
            ),
        })
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    let version = ctx.options().kubernetes_version;
    for problem in validate(obj, version) {
        if let SchemaProblem::UnknownField {
            key,
            field,
            parent,
            suggestion,
        } = problem
        {
            ctx.report(
                SchemaUnknownField {
                    object: obj.display(),
                    field,
                    parent,
                    suggestion,
                },
                obj.span(key),
            );
        }
    }
}
