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
/// stream).
///
/// Each chunk's text is the template's rendered content laid out as in the template file,
/// so a line number in the chunk is the line in the template: the `---` and `# Source:`
/// lines helm puts before each document are dropped, and consecutive documents from the
/// same template are joined with a `---` line (the separator the template itself had).
/// Documents without a `# Source:` belong to the template before them; text before the
/// first `# Source:` (other than a `---`) is attached to the first chunk.
pub fn split_helm_stream(text: &str) -> Option<Vec<HelmChunk>> {
    if !text.lines().any(|l| l.starts_with("# Source: ")) {
        return None;
    }
    // Split into documents at `---` lines, each remembering its `# Source:` and keeping
    // only its own content.
    let mut docs: Vec<Doc> = vec![Doc::default()];
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") {
            if docs.last().is_some_and(|d| d.started) {
                docs.push(Doc::default());
            }
            if let Some(doc) = docs.last_mut() {
                doc.started = true;
            }
            continue;
        }
        let Some(doc) = docs.last_mut() else { continue };
        doc.started = true;
        if doc.source.is_none()
            && doc.body.trim().is_empty()
            && let Some(src) = bare.strip_prefix("# Source: ")
        {
            doc.source = Some(src.trim().to_owned());
            continue;
        }
        doc.body.push_str(line);
    }
    let mut chunks: Vec<HelmChunk> = Vec::new();
    let mut leading = String::new();
    for Doc { source, body, .. } in docs {
        if source.is_none() && body.trim().is_empty() {
            continue;
        }
        match (source, chunks.last_mut()) {
            (Some(src), Some(last)) if last.source == src => join(&mut last.text, &body),
            (Some(src), _) => {
                let mut text = std::mem::take(&mut leading);
                text.push_str(&body);
                chunks.push(HelmChunk { source: src, text });
            }
            (None, Some(last)) => join(&mut last.text, &body),
            (None, None) => join(&mut leading, &body),
        }
    }
    Some(chunks)
}

/// One document of the stream.
#[derive(Default)]
struct Doc {
    source: Option<String>,
    body: String,
    started: bool,
}

/// Appends a document after a `---` separator line.
fn join(text: &mut String, body: &str) {
    if !text.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("---\n");
    }
    text.push_str(body);
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
        assert_eq!(c[0].text, "apiVersion: v1\nkind: Service\n");
        assert_eq!(c[1].source, "app/templates/deploy.yaml");
        assert_eq!(
            c[1].text,
            "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: apps/v1\nkind: Deployment\n"
        );
        assert!(split_helm_stream("a: 1\n").is_none());
    }

    /// Issue 9.4: a line of a chunk is the line within the template, not counted from
    /// the `---` and `# Source:` lines helm adds.
    #[test]
    fn issue9_4_chunk_lines_are_template_lines() {
        let s = "---\n# Source: app/templates/a.yaml\nkind: A\nimage: x:latest\n---\n# Source: app/templates/b.yaml\n# a comment of the template\nkind: B\n";
        let c = split_helm_stream(s).unwrap();
        let line_of = |chunk: &HelmChunk, needle: &str| {
            chunk.text.lines().position(|l| l == needle).map(|i| i + 1)
        };
        assert_eq!(line_of(&c[0], "image: x:latest"), Some(2));
        assert_eq!(line_of(&c[1], "kind: B"), Some(2));
    }
}
