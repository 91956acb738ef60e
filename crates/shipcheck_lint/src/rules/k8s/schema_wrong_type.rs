use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::K8sObject;
use crate::k8s::schema_check::{SchemaProblem, validate};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks core Kubernetes objects for values of a type the official Kubernetes OpenAPI
    /// schema does not allow.
    ///
    /// For example a quoted number where an integer is required, a number or a boolean where a
    /// string is required (env values, labels, annotations, ConfigMap data), or a map where a
    /// list is required. Checked kinds: Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod,
    /// Service, Ingress, ConfigMap, Secret, HorizontalPodAutoscaler, PodDisruptionBudget,
    /// NetworkPolicy and ServiceAccount, at their current API versions.
    ///
    /// ## Why is this bad?
    /// The API server rejects the whole object (`cannot unmarshal string into Go struct field
    /// DeploymentSpec.spec.replicas of type int32`), so the deploy fails at apply time instead
    /// of in review.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicas: "3"
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           env:
    ///             - name: FEATURE_X
    ///               value: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           env:
    ///             - name: FEATURE_X
    ///               value: "true"
    /// ```
    ///
    /// ## Options
    /// `options.kubernetes_version` in `.shipcheck.yaml` selects the schemas (vendored for
    /// 1.25–1.37; other versions use the nearest vendored one, with a config warning). `null`
    /// is accepted everywhere; a plain `1.0` passes for an integer, as the Kubernetes YAML
    /// decoder turns it into `1`.
    pub(crate) struct SchemaWrongType {
        pub(crate) object: String,
        pub(crate) path: String,
        pub(crate) expected: String,
        pub(crate) found: &'static str,
    }
}

impl Violation for SchemaWrongType {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "{}: `{}` is {}, but Kubernetes expects {}",
            self.object, self.path, self.found, self.expected
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(
            if self.expected == "a string" && self.found != "a map" && self.found != "a list" {
                "quote the value".to_owned()
            } else {
                format!("write {} here", self.expected)
            },
        )
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, obj: &K8sObject<'_>) {
    let version = ctx.options().kubernetes_version;
    for problem in validate(obj, version) {
        if let SchemaProblem::WrongType {
            value,
            path,
            expected,
            found,
        } = problem
        {
            ctx.report(
                SchemaWrongType {
                    object: obj.display(),
                    path,
                    expected,
                    found,
                },
                obj.span(value),
            );
        }
    }
}
