//! [`Resource`]: which collection a LIST reads — group, version, plural name — from a
//! kind name as kubectl takes it (`deployment`, `deploy`, `Deployment.apps`) or from an
//! `apiVersion` and `kind` pair (`external-secrets.io/v1` `ExternalSecret`).

/// A collection of the API: `/api/v1/namespaces/{ns}/{plural}` for the core group,
/// `/apis/{group}/{version}/namespaces/{ns}/{plural}` for the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version (`v1`).
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
    /// The collection's plural name (`deployments`).
    pub plural: String,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
}

/// A built-in kind: kind, group, version, plural, short names, namespaced.
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
);

/// The built-in kinds a check may name without an `apiVersion`.
const BUILTIN: &[Builtin] = &[
    ("Pod", "", "v1", "pods", &["po"], true),
    ("Service", "", "v1", "services", &["svc"], true),
    ("Secret", "", "v1", "secrets", &[], true),
    ("ConfigMap", "", "v1", "configmaps", &["cm"], true),
    ("Event", "", "v1", "events", &["ev"], true),
    (
        "PersistentVolumeClaim",
        "",
        "v1",
        "persistentvolumeclaims",
        &["pvc"],
        true,
    ),
    ("ServiceAccount", "", "v1", "serviceaccounts", &["sa"], true),
    ("Namespace", "", "v1", "namespaces", &["ns"], false),
    ("Node", "", "v1", "nodes", &["no"], false),
    (
        "PersistentVolume",
        "",
        "v1",
        "persistentvolumes",
        &["pv"],
        false,
    ),
    ("Deployment", "apps", "v1", "deployments", &["deploy"], true),
    ("StatefulSet", "apps", "v1", "statefulsets", &["sts"], true),
    ("DaemonSet", "apps", "v1", "daemonsets", &["ds"], true),
    ("ReplicaSet", "apps", "v1", "replicasets", &["rs"], true),
    ("Job", "batch", "v1", "jobs", &[], true),
    ("CronJob", "batch", "v1", "cronjobs", &["cj"], true),
    (
        "HorizontalPodAutoscaler",
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        &["hpa"],
        true,
    ),
    (
        "Ingress",
        "networking.k8s.io",
        "v1",
        "ingresses",
        &["ing"],
        true,
    ),
    (
        "EndpointSlice",
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        &[],
        true,
    ),
    (
        "PodDisruptionBudget",
        "policy",
        "v1",
        "poddisruptionbudgets",
        &["pdb"],
        true,
    ),
];

impl Resource {
    /// A built-in kind by kind name, plural, singular or short name, case-insensitive,
    /// optionally qualified by its group (`deployments.apps`).
    pub fn builtin(name: &str) -> Option<Resource> {
        let lower = name.to_ascii_lowercase();
        let (base, group) = match lower.split_once('.') {
            Some((b, g)) => (b.to_owned(), Some(g.to_owned())),
            None => (lower, None),
        };
        BUILTIN
            .iter()
            .find(|(kind, g, _, plural, short, _)| {
                let named = kind.eq_ignore_ascii_case(&base)
                    || *plural == base
                    || short.contains(&base.as_str());
                named && group.as_deref().is_none_or(|want| want == *g)
            })
            .map(|(kind, g, v, plural, _, namespaced)| Resource {
                group: (*g).to_owned(),
                version: (*v).to_owned(),
                kind: (*kind).to_owned(),
                plural: (*plural).to_owned(),
                namespaced: *namespaced,
            })
    }

    /// The resource of `kind` in `api_version` (`v1`, `apps/v1`, `cert-manager.io/v1`):
    /// the built-in plural when the pair is a built-in, else the kind's lower-case plural
    /// as CRDs name it (`ExternalSecret` → `externalsecrets`, `Policy` → `policies`),
    /// namespaced unless `plural` says otherwise. `plural` overrides the guess.
    pub fn from_api_version(api_version: &str, kind: &str, plural: Option<&str>) -> Resource {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (String::new(), api_version.to_owned()),
        };
        if let Some(b) = Resource::builtin(kind)
            && b.group == group
            && b.kind == kind
        {
            return Resource {
                version,
                plural: plural.map_or(b.plural, str::to_owned),
                ..b
            };
        }
        Resource {
            group,
            version,
            kind: kind.to_owned(),
            plural: plural.map_or_else(|| guess_plural(kind), str::to_owned),
            namespaced: !kind.starts_with("Cluster"),
        }
    }

    /// `apps/v1` or `v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The collection's path, in `namespace` when the resource is namespaced and one is
    /// given (`None`: every namespace).
    pub fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => format!("{base}/namespaces/{ns}/{}", self.plural),
            _ => format!("{base}/{}", self.plural),
        }
    }
}

/// English plural of a kind, lower-cased, as CRD authors name their collections.
fn guess_plural(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    if let Some(stem) = k.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if k.ends_with('s') || k.ends_with('x') || k.ends_with("ch") || k.ends_with("sh") {
        return format!("{k}es");
    }
    format!("{k}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_by_any_name_and_crds_by_api_version() {
        let d = Resource::builtin("deploy").unwrap_or_else(|| panic!("deploy"));
        assert_eq!(
            d.path(Some("shop")),
            "/apis/apps/v1/namespaces/shop/deployments"
        );
        assert_eq!(
            Resource::builtin("Pod")
                .map(|r| r.path(Some("a")))
                .as_deref(),
            Some("/api/v1/namespaces/a/pods")
        );
        assert_eq!(
            Resource::builtin("hpa").map(|r| r.version).as_deref(),
            Some("v2")
        );
        assert!(Resource::builtin("deployments.batch").is_none());
        let es = Resource::from_api_version("external-secrets.io/v1", "ExternalSecret", None);
        assert_eq!(
            es.path(Some("shop")),
            "/apis/external-secrets.io/v1/namespaces/shop/externalsecrets"
        );
        let css = Resource::from_api_version("external-secrets.io/v1", "ClusterSecretStore", None);
        assert_eq!(
            css.path(Some("shop")),
            "/apis/external-secrets.io/v1/clustersecretstores"
        );
        assert_eq!(guess_plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(guess_plural("Gateway"), "gateways");
        assert_eq!(guess_plural("Ingress"), "ingresses");
        let ing = Resource::from_api_version("networking.k8s.io/v1", "Ingress", None);
        assert_eq!(ing.plural, "ingresses");
    }
}
