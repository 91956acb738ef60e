//! Validates one Kubernetes object against its vendored schema by walking our own YAML
//! tree (positions stay exact, and no JSON conversion is needed).
//!
//! Reports two problems: fields the schema does not know (with a "did you mean"
//! suggestion) and values of the wrong JSON type. `null` is accepted everywhere, as the API
//! server treats it as absent. Scalars are typed as the Kubernetes YAML decoder types them:
//! quoted scalars are strings; plain `true`/`false` (and YAML 1.1 `yes`/`no`/`on`/`off` where
//! a boolean is expected) are booleans; plain numbers are numbers, and a float with an integral
//! value (`1.0`) passes for an integer.

use shipcheck_source::yaml::{Node as Y, Scalar, Value};

use super::K8sObject;
use super::schema::{Additional, JsonType, Schema, VersionSchemas, for_version};

/// Deepest YAML nesting followed (Kubernetes objects are far shallower).
const MAX_DEPTH: usize = 64;
/// Most `$ref` hops followed from one node (definitions never chain this long).
const MAX_REF_HOPS: usize = 16;
/// Most problems reported per object.
const MAX_PROBLEMS: usize = 100;

/// One schema problem in an object.
#[derive(Debug)]
pub(crate) enum SchemaProblem<'a> {
    /// A key the schema does not define.
    UnknownField {
        /// The key node.
        key: &'a Y,
        /// The field name.
        field: String,
        /// Dotted path of the mapping holding the key (`spec.template.spec.containers[0]`).
        parent: String,
        /// The closest known field, if one is close enough.
        suggestion: Option<String>,
    },
    /// A value of a type the schema does not allow.
    WrongType {
        /// Where to point: the value, or its key when the value is a map or a list (a block
        /// collection starts on the line after its key).
        value: &'a Y,
        /// Dotted path of the value.
        path: String,
        /// What the schema allows (`an integer`, `a list`…).
        expected: String,
        /// What was written (`a string`, `a map`…).
        found: &'static str,
    },
}

/// The schema problems of `obj` for Kubernetes `version`, in source order. Objects whose
/// kind/apiVersion is not validated (CRDs, other kinds, old API versions) yield nothing.
pub(crate) fn validate<'a>(obj: &K8sObject<'a>, version: (u32, u32)) -> Vec<SchemaProblem<'a>> {
    let Some(schemas) = for_version(version) else {
        return Vec::new();
    };
    let Some(root) = schemas.root(obj.api_version, obj.kind) else {
        return Vec::new();
    };
    let mut walker = Walker {
        schemas,
        path: Vec::new(),
        problems: Vec::new(),
    };
    walker.walk(None, obj.node, root, 0);
    let mut problems = walker.problems;
    problems.sort_by_key(|p| p.node().range().start);
    // Aliases can bring one written node in several times: report it once.
    problems
        .dedup_by(|a, b| a.node().range() == b.node().range() && a.is_unknown() == b.is_unknown());
    problems
}

impl SchemaProblem<'_> {
    fn node(&self) -> &Y {
        match self {
            SchemaProblem::UnknownField { key, .. } => key,
            SchemaProblem::WrongType { value, .. } => value,
        }
    }

    fn is_unknown(&self) -> bool {
        matches!(self, SchemaProblem::UnknownField { .. })
    }
}

struct Walker<'s, 'a> {
    schemas: VersionSchemas<'s>,
    path: Vec<String>,
    problems: Vec<SchemaProblem<'a>>,
}

impl<'s, 'a> Walker<'s, 'a> {
    fn resolve(&self, mut schema: &'s Schema) -> Option<&'s Schema> {
        for _ in 0..MAX_REF_HOPS {
            match &schema.reference {
                Some(name) => schema = self.schemas.definition(name)?,
                None => return Some(schema),
            }
        }
        None
    }

    fn path_string(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            if !seg.starts_with('[') && !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
        out
    }

    fn walk(&mut self, key: Option<&'a Y>, node: &'a Y, schema: &'s Schema, depth: usize) {
        if depth > MAX_DEPTH || self.problems.len() >= MAX_PROBLEMS {
            return;
        }
        let Some(schema) = self.resolve(schema) else {
            return;
        };
        if schema.preserve_unknown {
            return;
        }
        let found = match &node.resolve().value {
            Value::Scalar(s) => match classify(s) {
                Some(Kind::Null) | None => return,
                Some(kind) => kind,
            },
            Value::Seq(_) => Kind::Seq,
            Value::Map(_) => Kind::Map,
            Value::Alias(_) => return,
        };
        if !accepts(schema, found) {
            let anchor = match (found, key) {
                (Kind::Map | Kind::Seq, Some(key)) => key,
                _ => node,
            };
            self.problems.push(SchemaProblem::WrongType {
                value: anchor,
                path: self.path_string(),
                expected: expected_text(schema),
                found: found.describe(),
            });
            return;
        }
        match found {
            Kind::Map => self.walk_map(node, schema, depth),
            Kind::Seq => {
                if let Some(items) = &schema.items {
                    for (i, item) in node.items().iter().enumerate() {
                        self.path.push(format!("[{i}]"));
                        self.walk(None, item, items, depth + 1);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn walk_map(&mut self, node: &'a Y, schema: &'s Schema, depth: usize) {
        for (key, value) in node.entries() {
            let Some(name) = key.as_str() else {
                continue;
            };
            let known = schema.properties.as_ref().and_then(|p| p.get(name));
            let next = match (known, &schema.additional) {
                (Some(s), _) => s,
                (None, Some(Additional::Schema(s))) => s,
                (None, Some(Additional::Allowed(false))) => {
                    self.problems.push(SchemaProblem::UnknownField {
                        key,
                        field: name.to_owned(),
                        parent: self.path_string(),
                        suggestion: self.suggest(name, schema),
                    });
                    continue;
                }
                (None, _) => continue,
            };
            self.path.push(name.to_owned());
            self.walk(Some(key), value, next, depth + 1);
            self.path.pop();
        }
    }
}

/// How a YAML node is typed by the Kubernetes decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    /// A YAML 1.1 boolean word (`yes`, `off`…): a boolean where one is expected, else text.
    BoolWord,
    Int,
    /// A float; `true` when its value is integral (`1.0`).
    Float(bool),
    Str,
    Seq,
    Map,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::BoolWord | Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Float(_) => "a number",
            Kind::Seq => "a list",
            Kind::Map => "a map",
        }
    }
}

/// The type of a scalar; `None` for custom tags, which are not checked.
fn classify(s: &Scalar) -> Option<Kind> {
    match s.tag.as_deref() {
        None => {}
        Some("!!str" | "tag:yaml.org,2002:str") => return Some(Kind::Str),
        Some("!!int" | "tag:yaml.org,2002:int") => return Some(Kind::Int),
        Some("!!float" | "tag:yaml.org,2002:float") => return Some(Kind::Float(false)),
        Some("!!bool" | "tag:yaml.org,2002:bool") => return Some(Kind::Bool),
        Some("!!null" | "tag:yaml.org,2002:null") => return Some(Kind::Null),
        Some(_) => return None,
    }
    if s.quoted {
        return Some(Kind::Str);
    }
    if s.is_null() {
        return Some(Kind::Null);
    }
    let t = s.text.as_str();
    Some(match t {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => Kind::Bool,
        "yes" | "Yes" | "YES" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF"
        | "y" | "Y" | "n" | "N" => Kind::BoolWord,
        _ if is_int(t) => Kind::Int,
        _ => match float_value(t) {
            Some(f) => Kind::Float(f.is_finite() && f.fract() == 0.0),
            None => Kind::Str,
        },
    })
}

fn is_int(t: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(h) = t.strip_prefix("0x") {
        return digits(h, 16);
    }
    if let Some(o) = t.strip_prefix("0o") {
        return digits(o, 8);
    }
    digits(t.strip_prefix(['-', '+']).unwrap_or(t), 10)
}

/// The value of a YAML core-schema float (`1.5`, `.5`, `1e3`, `.inf`, `.nan`).
fn float_value(t: &str) -> Option<f64> {
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let ok_mantissa = (!int_part.is_empty() || !frac_part.is_empty())
        && all_digits(int_part)
        && all_digits(frac_part)
        && (mantissa.contains('.') || exponent.is_some());
    let ok_exponent = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if ok_mantissa && ok_exponent {
        t.parse().ok()
    } else {
        None
    }
}

fn accepts(schema: &Schema, found: Kind) -> bool {
    let types = schema.types.as_slice();
    if schema.int_or_string {
        return matches!(
            found,
            Kind::Int | Kind::Float(true) | Kind::Str | Kind::BoolWord
        );
    }
    if types.is_empty() {
        // No type: an object when it has fields, anything otherwise.
        let has_fields = schema.properties.is_some() || schema.additional.is_some();
        return !has_fields || found == Kind::Map;
    }
    types.iter().any(|t| match t {
        JsonType::Object => found == Kind::Map,
        JsonType::Array => found == Kind::Seq,
        JsonType::String => matches!(found, Kind::Str | Kind::BoolWord),
        JsonType::Integer => matches!(found, Kind::Int | Kind::Float(true)),
        JsonType::Number => matches!(found, Kind::Int | Kind::Float(_)),
        JsonType::Boolean => matches!(found, Kind::Bool | Kind::BoolWord),
    })
}

fn expected_text(schema: &Schema) -> String {
    if schema.int_or_string {
        return "an integer or a string".into();
    }
    let names: Vec<&str> = schema
        .types
        .as_slice()
        .iter()
        .map(|t| match t {
            JsonType::Object => "a map",
            JsonType::Array => "a list",
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
        })
        .collect();
    if names.is_empty() {
        "a map".into()
    } else {
        names.join(" or ")
    }
}

/// Lowercase without `_` and `-`, so `image_pull_policy` meets `imagePullPolicy`.
fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl<'s> Walker<'s, '_> {
    /// The known field closest to `name`: a sibling with the same letters ignoring case, `_`
    /// and `-`; else a sibling within a small edit distance; else a field one level down
    /// (`runAsUser` → `securityContext.runAsUser`).
    fn suggest(&self, name: &str, schema: &'s Schema) -> Option<String> {
        let props = schema.properties.as_ref()?;
        let wanted = normalize(name);
        if let Some(exact) = props.keys().find(|k| normalize(k) == wanted) {
            return Some(exact.clone());
        }
        let budget = if wanted.chars().count() <= 4 { 1 } else { 2 };
        let close = props
            .keys()
            .map(|k| (levenshtein(&wanted, &normalize(k)), k))
            .filter(|(d, _)| *d <= budget)
            .min_by_key(|(d, _)| *d)
            .map(|(_, k)| k.clone());
        if close.is_some() {
            return close;
        }
        props.iter().find_map(|(parent, child)| {
            let child = self.resolve(child)?;
            let child = match (&child.properties, &child.items) {
                (None, Some(items)) => self.resolve(items)?,
                _ => child,
            };
            let field = child
                .properties
                .as_ref()?
                .keys()
                .find(|k| normalize(k) == wanted)?;
            Some(format!("{parent}.{field}"))
        })
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::objects_from_documents;
    use shipcheck_source::yaml::parse_yaml;
    use shipcheck_source::{FileId, FileKind, SourceFile};

    fn problems(text: &str) -> Vec<String> {
        let file = SourceFile::new(FileId(0), "t.yaml", text.into(), FileKind::Kubernetes);
        let stream = parse_yaml(&file);
        let objects = objects_from_documents(&file, &stream.documents);
        objects
            .iter()
            .flat_map(|o| validate(o, (1, 33)))
            .map(|p| match p {
                SchemaProblem::UnknownField {
                    field,
                    parent,
                    suggestion,
                    key,
                } => format!(
                    "{}: unknown {parent}.{field} ~ {suggestion:?}",
                    file.line_col(key.range().start).line
                ),
                SchemaProblem::WrongType {
                    path,
                    expected,
                    found,
                    value,
                } => format!(
                    "{}: {path} is {found}, wants {expected}",
                    file.line_col(value.range().start).line
                ),
            })
            .collect()
    }

    #[test]
    fn scalars_are_typed_like_the_kubernetes_decoder() {
        let s = |text: &str, quoted| Scalar {
            text: text.into(),
            quoted,
            tag: None,
        };
        assert_eq!(classify(&s("3", false)), Some(Kind::Int));
        assert_eq!(classify(&s("3", true)), Some(Kind::Str));
        assert_eq!(classify(&s("0x1F", false)), Some(Kind::Int));
        assert_eq!(classify(&s("1.0", false)), Some(Kind::Float(true)));
        assert_eq!(classify(&s("1.5", false)), Some(Kind::Float(false)));
        assert_eq!(classify(&s("1e3", false)), Some(Kind::Float(true)));
        assert_eq!(classify(&s("25%", false)), Some(Kind::Str));
        assert_eq!(classify(&s("1.2.3", false)), Some(Kind::Str));
        assert_eq!(classify(&s("100m", false)), Some(Kind::Str));
        assert_eq!(classify(&s("true", false)), Some(Kind::Bool));
        assert_eq!(classify(&s("yes", false)), Some(Kind::BoolWord));
        assert_eq!(classify(&s("~", false)), Some(Kind::Null));
    }

    #[test]
    fn suggestions_prefer_case_and_separator_variants_then_small_typos() {
        let v = for_version((1, 33)).unwrap();
        let c = v.definition("io.k8s.api.core.v1.Container").unwrap();
        let w = Walker {
            schemas: v,
            path: Vec::new(),
            problems: Vec::new(),
        };
        let suggest = |name| w.suggest(name, c);
        assert_eq!(suggest("livenessprobe").as_deref(), Some("livenessProbe"));
        assert_eq!(
            suggest("image_pull_policy").as_deref(),
            Some("imagePullPolicy")
        );
        assert_eq!(
            suggest("imagePullPolcy").as_deref(),
            Some("imagePullPolicy")
        );
        assert_eq!(
            suggest("runAsUser").as_deref(),
            Some("securityContext.runAsUser")
        );
        assert_eq!(suggest("requests").as_deref(), Some("resources.requests"));
        assert_eq!(suggest("completelyDifferent"), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }

    #[test]
    fn reports_unknown_fields_and_wrong_types_at_their_lines() {
        let got = problems(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { version: 2 }
spec:
  replicas: \"3\"
  strategy:
    rollingUpdate: { maxSurge: 25%, maxUnavailable: 0 }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1.0
          livenessprobe: { httpGet: { path: /, port: http } }
          ports: { containerPort: 80 }
          resources: { limits: { cpu: 1, memory: 1.5 } }
          env:
            - { name: DEBUG, value: true }
",
        );
        assert_eq!(
            got,
            vec![
                "5: metadata.labels.version is an integer, wants a string",
                "7: spec.replicas is a string, wants an integer",
                "17: unknown spec.template.spec.containers[0].livenessprobe ~ Some(\"livenessProbe\")",
                "18: spec.template.spec.containers[0].ports is a map, wants a list",
                "21: spec.template.spec.containers[0].env[0].value is a boolean, wants a string",
            ]
        );
    }

    #[test]
    fn other_kinds_crds_and_nulls_are_not_reported() {
        let got = problems(
            "apiVersion: example.com/v1
kind: Deployment
spec: { anything: [1, 2] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: c, creationTimestamp: null, annotations: ~ }
data: { A: \"1\", B: x }
---
apiVersion: v1
kind: Service
metadata: { name: s }
spec:
  ports: [{ port: 80, targetPort: http }, { port: 81, targetPort: 8081 }]
",
        );
        assert_eq!(got, Vec::<String>::new());
    }
}
