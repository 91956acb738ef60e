//! The vendored Kubernetes OpenAPI schemas (`schemas/k8s-schemas.json`, see its README for
//! provenance and licence), parsed once, and the lookup of an object's root schema by
//! `apiVersion`, `kind` and target Kubernetes version.
//!
//! The data holds, for each vendored minor version (1.25–1.37), the definitions reachable
//! from the validated kinds, reduced to `type`, `properties`, `items`,
//! `additionalProperties`, `$ref` and the int-or-string marker. Validation itself is in
//! [`super::schema_check`].

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

/// The compact schema data, embedded at build time.
static DATA: &[u8] = include_bytes!("../../schemas/k8s-schemas.json");

/// Parsed once, on first use. `None` only if the embedded data is corrupt (a unit test
/// guards against that); validation is then skipped rather than panicking.
static SCHEMAS: LazyLock<Option<Schemas>> = LazyLock::new(|| Schemas::parse(DATA).ok());

/// One schema node in the compact form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Schema {
    /// Name of the definition this node refers to.
    #[serde(rename = "$ref")]
    pub(crate) reference: Option<String>,
    /// Allowed JSON types (`null` is always allowed and never listed).
    #[serde(rename = "type", default)]
    pub(crate) types: TypeSet,
    /// Known fields of an object.
    pub(crate) properties: Option<BTreeMap<String, Schema>>,
    /// Schema of array items.
    pub(crate) items: Option<Box<Schema>>,
    /// Schema of the values of other keys, or `false` when other keys are unknown fields.
    #[serde(rename = "additionalProperties")]
    pub(crate) additional: Option<Additional>,
    /// `IntOrString`: an integer or a string.
    #[serde(rename = "x-kubernetes-int-or-string", default)]
    pub(crate) int_or_string: bool,
    /// Any field is accepted below this node.
    #[serde(rename = "x-kubernetes-preserve-unknown-fields", default)]
    pub(crate) preserve_unknown: bool,
}

/// `additionalProperties`: `false` or a schema for the values.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Additional {
    /// `false` (or `true`, which allows anything).
    Allowed(bool),
    /// Values of any other key follow this schema.
    Schema(Box<Schema>),
}

/// `type`: one name or a list of names.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub(crate) enum TypeSet {
    /// No type constraint.
    #[default]
    Any,
    /// One type.
    One(JsonType),
    /// Any of these types.
    Many(Vec<JsonType>),
}

/// A JSON Schema type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum JsonType {
    /// A mapping.
    Object,
    /// A sequence.
    Array,
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl TypeSet {
    /// The allowed types (empty: anything).
    pub(crate) fn as_slice(&self) -> &[JsonType] {
        match self {
            TypeSet::Any => &[],
            TypeSet::One(t) => std::slice::from_ref(t),
            TypeSet::Many(ts) => ts,
        }
    }
}

#[derive(Deserialize)]
struct RawFile {
    roots: Vec<(String, String, String)>,
    versions: BTreeMap<String, Vec<usize>>,
    defs: Vec<(String, Schema)>,
}

/// A version's definitions: name → index in [`Schemas::defs`].
type DefIndex = HashMap<String, usize>;

/// All vendored versions.
pub(crate) struct Schemas {
    defs: Vec<(String, Schema)>,
    /// Per version: definition name → index in `defs`.
    versions: BTreeMap<(u32, u32), DefIndex>,
    /// (apiVersion, kind, root definition name); few enough to scan.
    roots: Vec<(String, String, String)>,
}

/// The definitions of one Kubernetes version.
#[derive(Clone, Copy)]
pub(crate) struct VersionSchemas<'a> {
    all: &'a Schemas,
    names: &'a DefIndex,
}

impl Schemas {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let raw: RawFile = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let mut versions = BTreeMap::new();
        for (v, ids) in raw.versions {
            let parsed = parse_version(&v).ok_or_else(|| format!("bad version `{v}`"))?;
            let mut names = HashMap::with_capacity(ids.len());
            for id in ids {
                let (name, _) = raw
                    .defs
                    .get(id)
                    .ok_or_else(|| format!("version {v}: no definition #{id}"))?;
                names.insert(name.clone(), id);
            }
            versions.insert(parsed, names);
        }
        Ok(Self {
            defs: raw.defs,
            versions,
            roots: raw.roots,
        })
    }

    /// The vendored version used for `wanted`: itself if vendored, else the nearest one.
    fn select(&self, wanted: (u32, u32)) -> Option<(&(u32, u32), &DefIndex)> {
        if let Some(found) = self.versions.get_key_value(&wanted) {
            return Some(found);
        }
        let below = self.versions.range(..wanted).next_back();
        below.or_else(|| self.versions.iter().next())
    }
}

fn parse_version(s: &str) -> Option<(u32, u32)> {
    let (major, minor) = s.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The schemas for target version `wanted` (nearest vendored version if not vendored).
pub(crate) fn for_version(wanted: (u32, u32)) -> Option<VersionSchemas<'static>> {
    let all = SCHEMAS.as_ref()?;
    let (_, names) = all.select(wanted)?;
    Some(VersionSchemas { all, names })
}

/// `None` when `wanted` is vendored; otherwise the version whose schemas are used instead.
pub(crate) fn fallback_version(wanted: (u32, u32)) -> Option<(u32, u32)> {
    let all = SCHEMAS.as_ref()?;
    let (used, _) = all.select(wanted)?;
    (*used != wanted).then_some(*used)
}

impl<'a> VersionSchemas<'a> {
    /// The root schema for an object, if its kind is validated and exists in this version.
    pub(crate) fn root(&self, api_version: &str, kind: &str) -> Option<&'a Schema> {
        let (_, _, name) = self
            .all
            .roots
            .iter()
            .find(|(a, k, _)| a == api_version && k == kind)?;
        self.definition(name)
    }

    /// A definition by name.
    pub(crate) fn definition(&self, name: &str) -> Option<&'a Schema> {
        let id = *self.names.get(name)?;
        self.all.defs.get(id).map(|(_, s)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_and_covers_the_validated_kinds() {
        let all = Schemas::parse(DATA).unwrap();
        assert_eq!(all.versions.keys().next(), Some(&(1, 25)));
        assert!(all.versions.contains_key(&(1, 33)));
        let v = for_version((1, 33)).unwrap();
        for (api, kind) in [
            ("apps/v1", "Deployment"),
            ("apps/v1", "StatefulSet"),
            ("apps/v1", "DaemonSet"),
            ("batch/v1", "Job"),
            ("batch/v1", "CronJob"),
            ("v1", "Pod"),
            ("v1", "Service"),
            ("v1", "ConfigMap"),
            ("v1", "Secret"),
            ("v1", "ServiceAccount"),
            ("networking.k8s.io/v1", "Ingress"),
            ("networking.k8s.io/v1", "NetworkPolicy"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("policy/v1", "PodDisruptionBudget"),
        ] {
            let root = v.root(api, kind).unwrap_or_else(|| panic!("{api} {kind}"));
            assert!(root.properties.as_ref().unwrap().contains_key("metadata"));
        }
        assert!(v.root("example.com/v1", "Widget").is_none());
        let container = v.definition("io.k8s.api.core.v1.Container").unwrap();
        let props = container.properties.as_ref().unwrap();
        assert!(props.contains_key("livenessProbe"));
        assert!(matches!(
            container.additional,
            Some(Additional::Allowed(false))
        ));
    }

    #[test]
    fn versions_outside_the_vendored_range_fall_back_to_the_nearest() {
        assert_eq!(fallback_version((1, 33)), None);
        assert_eq!(fallback_version((1, 20)), Some((1, 25)));
        assert_eq!(fallback_version((1, 99)), Some((1, 37)));
        assert_eq!(fallback_version((2, 0)), Some((1, 37)));
    }

    #[test]
    fn a_config_naming_an_unbundled_version_gets_a_warning() {
        use crate::config::Config;
        use std::path::Path;
        let parse = |v: &str| {
            let text = format!("options:\n  kubernetes_version: \"{v}\"\n");
            Config::parse(Path::new("/p/.shipcheck.yaml"), text).unwrap()
        };
        assert!(parse("1.33").warnings.is_empty());
        let old = parse("1.21");
        assert_eq!(old.options.kubernetes_version, (1, 21));
        assert_eq!(old.warnings.len(), 1);
        assert!(old.warnings[0].contains("use 1.25"), "{:?}", old.warnings);
    }
}
