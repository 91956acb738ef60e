//! File kind detection (DESIGN.md §11): by name first, then by content.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::dockerfile::INSTRUCTIONS;
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

/// Extensions of source code, documentation and binaries: never a Dockerfile or `.env`
/// by name (`dockerfile.vim`, `Env.pm`, `env.1.gz`, `env.cpython-312.pyc`).
const NOT_DEPLOYMENT_EXTENSIONS: &[&str] = &[
    "md",
    "txt",
    "json",
    "sh",
    "py",
    "go",
    "rs",
    "js",
    "ts",
    "toml",
    "lock",
    "dockerignore",
    "pm",
    "pl",
    "rb",
    "php",
    "java",
    "c",
    "h",
    "cc",
    "cpp",
    "el",
    "lua",
    "vim",
    "html",
    "css",
    "xml",
    "pyc",
    "class",
    "jar",
    "so",
    "gz",
    "bz2",
    "xz",
    "zst",
    "zip",
    "tgz",
    "png",
    "svg",
];

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
    if NOT_DEPLOYMENT_EXTENSIONS.contains(&ext) {
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
            if sniff_dockerfile(text) {
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
    } else if sniff_dockerfile(text) {
        FileKind::Dockerfile
    } else {
        FileKind::Unknown
    }
}

/// The most instructions looked at when sniffing.
const SNIFF_INSTRUCTIONS: usize = 200;

/// True when `text` (or its start) reads as a Dockerfile: the first instruction is a
/// well-formed `FROM` (or `ARG`s then one), and at most one line in ten that starts an
/// instruction is not a Dockerfile instruction. Continuation lines and heredoc bodies are
/// not counted. A Python `from x import y` or prose starting with "from" is not a Dockerfile.
pub fn sniff_dockerfile(text: &str) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    let mut seen_from = false;
    let mut continued = false;
    let mut heredoc: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(delim) = &heredoc {
            if line == delim {
                heredoc = None;
            }
            continue;
        }
        let was_continued = continued;
        continued = line.ends_with('\\') || line.ends_with('`');
        if was_continued || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let word = line
            .split_whitespace()
            .next()
            .map(str::to_ascii_uppercase)
            .unwrap_or_default();
        if !INSTRUCTIONS.contains(&word.as_str()) {
            if !seen_from {
                return false;
            }
            bad += 1;
        } else if word == "FROM" {
            if !well_formed_from(line) {
                return false;
            }
            seen_from = true;
            good += 1;
        } else if !seen_from && word != "ARG" {
            return false;
        } else {
            good += 1;
        }
        heredoc = heredoc_delimiter(line);
        if good + bad >= SNIFF_INSTRUCTIONS {
            break;
        }
    }
    seen_from && bad * 10 <= good
}

/// `FROM [--flag=v…] image [AS name]`.
fn well_formed_from(line: &str) -> bool {
    let args: Vec<&str> = line
        .split_whitespace()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [_] => true,
        [_, as_kw, _] => as_kw.eq_ignore_ascii_case("as"),
        _ => false,
    }
}

/// The delimiter of a heredoc opened on `line` (`<<EOF`, `<<-"EOF"`), if any.
fn heredoc_delimiter(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("<<")?;
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let word: String = rest
        .chars()
        .skip_while(|c| *c == '"' || *c == '\'')
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
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
        // `lint /usr` took these for Dockerfiles and .env files (issue 18.10).
        for n in [
            "dockerfile.vim",
            "Env.pm",
            "env.1.gz",
            "env.cpython-312.pyc",
        ] {
            assert_eq!(k(n), NameHint::Other, "{n}");
        }
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

    /// Issue 18.10: text starting with `from ` is a Dockerfile only when it parses as one.
    #[test]
    fn issue18_10_python_and_prose_starting_with_from_are_not_dockerfiles() {
        let unknown = |name: &str, text: &str| {
            assert_eq!(detect(Path::new(name), text), FileKind::Unknown, "{name}");
            assert_eq!(detect_content(text), FileKind::Unknown, "{name} (stdin)");
        };
        unknown("app", "from flask import Flask\n\napp = Flask(__name__)\n");
        unknown("tool", "from os import path\nimport sys\n");
        unknown(
            "NOTES",
            "from the start, this project was meant to be small.\n",
        );
        unknown(
            "README",
            "from scratch\n\nThis image is built from scratch.\nSee below.\nMore text.\n",
        );
        let df = "# syntax=docker/dockerfile:1\nARG V=3.19\nFROM --platform=$BUILDPLATFORM alpine:$V AS build\nRUN apk add \\\n    curl \\\n    git\nCOPY <<EOF /etc/x.conf\nnot an instruction\nneither this\nEOF\nFROM scratch\nCOPY --from=build /x /x\nUSER 1000\n";
        assert_eq!(detect(Path::new("build"), df), FileKind::Dockerfile);
        assert_eq!(detect_content(df), FileKind::Dockerfile);
        assert_eq!(
            detect(Path::new("b"), "from alpine\nrun true\n"),
            FileKind::Dockerfile
        );
    }
}
