//! Relations between Kubernetes objects used by several cross-object rules.

use crate::k8s::K8sObject;

/// True when both objects are in the same namespace (a missing namespace matches anything,
/// since it is filled in at apply time).
pub(crate) fn same_namespace(a: &K8sObject<'_>, b: &K8sObject<'_>) -> bool {
    match (a.namespace, b.namespace) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// True when HPA `hpa`'s `scaleTargetRef` names workload `w`.
pub(crate) fn targets(hpa: &K8sObject<'_>, w: &K8sObject<'_>) -> bool {
    let Some(r) = hpa.spec().and_then(|s| s.get("scaleTargetRef")) else {
        return false;
    };
    r.get("kind").and_then(|k| k.as_str()) == Some(w.kind)
        && r.get("name").and_then(|n| n.as_str()) == w.name
        && same_namespace(hpa, w)
}
