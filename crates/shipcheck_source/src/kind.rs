//! File kind detection (DESIGN.md §11): by name first, then by content.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::text::FileKind;

static K8S_API_VERSION: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*(?:-[ \t]+)?apiVersion[ \t]*:").ok());
static K8S_KIND: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*(?:-[ \t]+)?kind[ \t]*:").ok());
static COMPOSE_SERVICES: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?m)^services[ \t]*:").ok());

fn is_match(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(text))
}

/// What the file name alone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameHint {
    /// The name settles the kind.
    Kind(FileKind),
    /// A YAML file: the content decides between Kubernetes and compose.
    Yaml,
    /// No recognised name: only a Dockerfile is recognised by content.
    Other,
}

/// Classifies a path by its file name.
pub fn hint_from_name(path: &Path) -> NameHint {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let is_yaml = matches!(ext, "yaml" | "yml");
    if is_yaml {
        if name.contains("compose") {
            return NameHint::Kind(FileKind::Compose);
        }
        return NameHint::Yaml;
    }
    if matches!(
        ext,
        "md" | "txt"
            | "json"
            | "sh"
            | "py"
            | "go"
            | "rs"
            | "js"
            | "ts"
            | "toml"
            | "lock"
            | "dockerignore"
    ) {
        return NameHint::Other;
    }
    if name.contains("dockerfile") || name.contains("containerfile") {
        return NameHint::Kind(FileKind::Dockerfile);
    }
    let env_like = name == ".env"
        || name.ends_with(".env")
        || name.starts_with(".env.")
        || name.contains(".env.")
        || name.starts_with("env.")
        || name.ends_with("env.example")
        || name.ends_with("env.sample")
        || name.ends_with("env.template");
    if env_like {
        let template = ["example", "sample", "template", ".dist"]
            .iter()
            .any(|t| name.contains(t));
        return NameHint::Kind(FileKind::Env { template });
    }
    NameHint::Other
}

/// Detects the kind of a file from its name, then its content.
pub fn detect(path: &Path, text: &str) -> FileKind {
    match hint_from_name(path) {
        NameHint::Kind(k) => k,
        NameHint::Yaml => {
            if is_match(&K8S_API_VERSION, text) && is_match(&K8S_KIND, text) {
                FileKind::Kubernetes
            } else if is_match(&COMPOSE_SERVICES, text) {
                FileKind::Compose
            } else {
                FileKind::Unknown
            }
        }
        NameHint::Other => {
            if looks_like_dockerfile(text) {
                FileKind::Dockerfile
            } else {
                FileKind::Unknown
            }
        }
    }
}

/// Detects the kind of text read from stdin (no name): YAML kinds, then Dockerfile.
pub fn detect_content(text: &str) -> FileKind {
    if is_match(&K8S_API_VERSION, text) && is_match(&K8S_KIND, text) {
        FileKind::Kubernetes
    } else if is_match(&COMPOSE_SERVICES, text) {
        FileKind::Compose
    } else if looks_like_dockerfile(text) {
        FileKind::Dockerfile
    } else {
        FileKind::Unknown
    }
}

/// The first instruction is `FROM`, or `ARG` followed later by `FROM`.
fn looks_like_dockerfile(text: &str) -> bool {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let Some(first) = lines.next() else {
        return false;
    };
    let word = |l: &str| l.split_whitespace().next().map(str::to_ascii_uppercase);
    match word(first).as_deref() {
        Some("FROM") => first.split_whitespace().count() >= 2,
        Some("ARG") => lines.take(50).any(|l| word(l).as_deref() == Some("FROM")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_name() {
        let k = |n: &str| hint_from_name(Path::new(n));
        assert_eq!(k("Dockerfile"), NameHint::Kind(FileKind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), NameHint::Kind(FileKind::Dockerfile));
        assert_eq!(k("Dockerfile.debug"), NameHint::Kind(FileKind::Dockerfile));
        assert_eq!(k("Containerfile"), NameHint::Kind(FileKind::Dockerfile));
        assert_eq!(
            k(".env.example"),
            NameHint::Kind(FileKind::Env { template: true })
        );
        assert_eq!(
            k("prod.env.sample"),
            NameHint::Kind(FileKind::Env { template: true })
        );
        assert_eq!(k(".env"), NameHint::Kind(FileKind::Env { template: false }));
        assert_eq!(
            k("db.env"),
            NameHint::Kind(FileKind::Env { template: false })
        );
        assert_eq!(
            k("docker-compose.prod.yml"),
            NameHint::Kind(FileKind::Compose)
        );
        assert_eq!(k("deploy.yaml"), NameHint::Yaml);
        assert_eq!(k("README.md"), NameHint::Other);
    }

    #[test]
    fn by_content() {
        assert_eq!(
            detect(Path::new("a.yaml"), "apiVersion: v1\nkind: List\n"),
            FileKind::Kubernetes
        );
        assert_eq!(
            detect(Path::new("stack.yml"), "services:\n  web: {}\n"),
            FileKind::Compose
        );
        assert_eq!(
            detect(Path::new("values.yaml"), "replicas: 2\n"),
            FileKind::Unknown
        );
        assert_eq!(
            detect(Path::new("build"), "# c\nARG X\nFROM a:$X\n"),
            FileKind::Dockerfile
        );
        assert_eq!(detect(Path::new("notes"), "hello\n"), FileKind::Unknown);
    }
}
