//! Splitting a `helm template` stream at its `# Source: chart/templates/x.yaml` comments,
//! so findings name the template file.

/// One template's part of a rendered stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmChunk {
    /// The template path from the `# Source:` comment.
    pub source: String,
    /// The rendered YAML of that template (its documents, including their `---`).
    pub text: String,
}

/// Splits `text` at `# Source:` comments. Returns `None` when there are none (not a helm
/// stream). Consecutive documents from the same template are joined into one chunk, and
/// text before the first `# Source:` is attached to the first chunk.
pub fn split_helm_stream(text: &str) -> Option<Vec<HelmChunk>> {
    if !text.lines().any(|l| l.starts_with("# Source: ")) {
        return None;
    }
    // Split into documents at `---` lines, each remembering its `# Source:`.
    let mut docs: Vec<(Option<String>, String)> = vec![(None, String::new())];
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if (bare == "---" || bare.starts_with("--- "))
            && docs.last().is_some_and(|d| !d.1.is_empty())
        {
            docs.push((None, String::new()));
        }
        if let Some(doc) = docs.last_mut() {
            if doc.0.is_none()
                && let Some(src) = bare.strip_prefix("# Source: ")
            {
                doc.0 = Some(src.trim().to_owned());
            }
            doc.1.push_str(line);
        }
    }
    let mut chunks: Vec<HelmChunk> = Vec::new();
    let mut leading = String::new();
    for (source, body) in docs {
        match (source, chunks.last_mut()) {
            (Some(src), Some(last)) if last.source == src => last.text.push_str(&body),
            (Some(src), _) => {
                let mut text = std::mem::take(&mut leading);
                text.push_str(&body);
                chunks.push(HelmChunk { source: src, text });
            }
            (None, Some(last)) => last.text.push_str(&body),
            (None, None) => leading.push_str(&body),
        }
    }
    Some(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_joins_by_source() {
        let s = "---\n# Source: app/templates/svc.yaml\napiVersion: v1\nkind: Service\n---\n# Source: app/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\n---\n# Source: app/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\n";
        let c = split_helm_stream(s).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].source, "app/templates/svc.yaml");
        assert_eq!(
            c[0].text,
            "---\n# Source: app/templates/svc.yaml\napiVersion: v1\nkind: Service\n"
        );
        assert_eq!(c[1].source, "app/templates/deploy.yaml");
        assert_eq!(c[1].text.matches("kind: Deployment").count(), 2);
        assert!(split_helm_stream("a: 1\n").is_none());
    }
}
