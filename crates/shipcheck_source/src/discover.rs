//! Finding input files: named files as given, directories walked with `ignore`
//! (`.gitignore` honoured even outside git, dotfiles such as `.env.example` included,
//! `.git` skipped).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::error::SourceError;

/// Files larger than this are not read.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    /// The path (as given, or joined under a given directory).
    pub path: PathBuf,
    /// True when named on the command line (unknown kinds are then reported, not skipped).
    pub explicit: bool,
}

/// Expands `paths` into files, sorted and deduplicated. A missing path is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Discovered>, SourceError> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SourceError::NotFound { path: p.clone() },
            _ => SourceError::Io {
                path: p.clone(),
                source: e,
            },
        })?;
        if !meta.is_dir() {
            out.push(Discovered {
                path: p.clone(),
                explicit: true,
            });
            continue;
        }
        let walker = ignore::WalkBuilder::new(p)
            .hidden(false)
            .require_git(false)
            .git_ignore(true)
            .git_exclude(true)
            .parents(true)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = entry.map_err(|source| SourceError::Walk {
                path: p.clone(),
                source,
            })?;
            if entry.file_type().is_some_and(|t| t.is_file()) {
                out.push(Discovered {
                    path: entry.into_path(),
                    explicit: false,
                });
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| {
        if a.path == b.path {
            b.explicit |= a.explicit;
            true
        } else {
            false
        }
    });
    Ok(out)
}

/// Reads a file as text (invalid UTF-8 replaced), refusing files over [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, SourceError> {
    let io = |source| SourceError::Io {
        path: path.to_owned(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(SourceError::TooLarge {
            path: path.to_owned(),
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_dotfiles_and_honours_gitignore_outside_git() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join(".env.example"), "A=1\n").unwrap();
        std::fs::write(d.join(".gitignore"), "ignored.yaml\n").unwrap();
        std::fs::write(d.join("ignored.yaml"), "a: 1\n").unwrap();
        std::fs::create_dir(d.join("k8s")).unwrap();
        std::fs::write(d.join("k8s/app.yaml"), "a: 1\n").unwrap();
        let found = discover(&[d.to_owned()]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|f| {
                f.path
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, [".env.example", ".gitignore", "k8s/app.yaml"]);
        assert!(matches!(
            discover(&[d.join("nope")]),
            Err(SourceError::NotFound { .. })
        ));
    }
}
