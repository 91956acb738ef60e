//! Helpers shared by Kubernetes rules.

use shipcheck_source::yaml::Node as Y;

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// Registry and repository (`ghcr.io/org/app`).
    pub(crate) repository: &'a str,
    /// The tag, if any.
    pub(crate) tag: Option<&'a str>,
    /// The digest, if any.
    pub(crate) digest: Option<&'a str>,
}

/// Splits `registry/repo:tag@digest`.
pub(crate) fn parse_image(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A ':' after the last '/' separates the tag (a ':' before it is a registry port).
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => ImageRef {
            repository: &rest[..slash + i],
            tag: Some(&rest[slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            repository: rest,
            tag: None,
            digest,
        },
    }
}

/// True when every `matchLabels` pair of `selector` (a label map or a LabelSelector with
/// `matchLabels`/`matchExpressions`) is satisfied by `labels`.
pub(crate) fn selector_matches(selector: &Y, labels: Option<&Y>, is_label_selector: bool) -> bool {
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Y::as_str);
    let pairs = if is_label_selector {
        selector.get("matchLabels")
    } else {
        Some(selector)
    };
    let mut any = false;
    if let Some(pairs) = pairs {
        for (k, v) in pairs.entries() {
            any = true;
            let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                return false;
            };
            if label(k) != Some(v) {
                return false;
            }
        }
    }
    if is_label_selector && let Some(exprs) = selector.get("matchExpressions") {
        for e in exprs.items() {
            any = true;
            let (Some(key), Some(op)) = (
                e.get("key").and_then(Y::as_str),
                e.get("operator").and_then(Y::as_str),
            ) else {
                return false;
            };
            let values: Vec<&str> = e
                .get("values")
                .map(Y::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Y::as_str)
                .collect();
            let ok = match op {
                "In" => label(key).is_some_and(|v| values.contains(&v)),
                "NotIn" => label(key).is_none_or(|v| !values.contains(&v)),
                "Exists" => label(key).is_some(),
                "DoesNotExist" => label(key).is_none(),
                _ => true,
            };
            if !ok {
                return false;
            }
        }
    }
    any
}

/// A canonical text form of a YAML subtree (keys sorted), for structural comparison.
pub(crate) fn canonical(node: &Y) -> String {
    let mut out = String::new();
    canon_into(node, &mut out, 0);
    out
}

fn canon_into(node: &Y, out: &mut String, depth: u32) {
    if depth > 64 {
        return;
    }
    if let Some(s) = node.as_scalar() {
        out.push_str(&format!("{:?}", s.text));
    } else if node.is_seq() {
        out.push('[');
        for i in node.items() {
            canon_into(i, out, depth + 1);
            out.push(',');
        }
        out.push(']');
    } else {
        let mut entries: Vec<(String, String)> = node
            .entries()
            .into_iter()
            .map(|(k, v)| {
                let mut vs = String::new();
                canon_into(v, &mut vs, depth + 1);
                (k.as_str().unwrap_or("").to_owned(), vs)
            })
            .collect();
        entries.sort();
        out.push('{');
        for (k, v) in entries {
            out.push_str(&format!("{k:?}:{v},"));
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(parse_image("nginx").tag, None);
        assert_eq!(parse_image("nginx:1.27").tag, Some("1.27"));
        let r = parse_image("localhost:5000/app");
        assert_eq!((r.repository, r.tag), ("localhost:5000/app", None));
        let r = parse_image("ghcr.io/a/b:v1@sha256:abc");
        assert_eq!((r.tag, r.digest), (Some("v1"), Some("sha256:abc")));
    }
}
