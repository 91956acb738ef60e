//! Finding and reading input files: named files as given, directories walked with `ignore`
//! (`.gitignore` honoured even outside git, dotfiles such as `.env.example` included,
//! `.git` skipped).
//!
//! Reading never blocks on a FIFO or device (only regular files are read), reads at most
//! the size cap plus one byte, and a walk is bounded in files and bytes. What a walk could
//! not read is returned as [`Skipped`] so the caller can report it.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::SourceError;
use crate::kind::{NameHint, hint_from_name, sniff_dockerfile};

/// Files larger than this are not read (stdin included).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// How much of a walked file with an unrecognised name is read to look for a Dockerfile.
const SNIFF_BYTES: u64 = 16 * 1024;

/// Bounds on a directory walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// The most files a walk looks at (over all walked directories).
    pub max_files: usize,
    /// The most bytes of file text kept (over all walked files).
    pub max_bytes: u64,
}

impl Default for WalkLimits {
    fn default() -> Self {
        Self {
            max_files: 100_000,
            max_bytes: 256 * 1024 * 1024,
        }
    }
}

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Discovered {
    /// The path (as given, or joined under a given directory).
    pub path: PathBuf,
    /// True when named on the command line (unknown kinds are then reported, not skipped).
    pub explicit: bool,
}

/// A path a walk met but did not lint, and why (a lowercase fragment).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    /// The file, or the walked directory when a bound was hit.
    pub path: PathBuf,
    /// Why it was not linted.
    pub reason: String,
}

/// A file read for linting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// The path.
    pub path: PathBuf,
    /// True when named on the command line.
    pub explicit: bool,
    /// The text (invalid UTF-8 replaced).
    pub text: String,
}

/// The files under some paths: those read, and those a walk had to skip.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collected {
    /// Files read, sorted by path.
    pub files: Vec<ReadFile>,
    /// Walked paths that could not be read, and bounds that were hit.
    pub skipped: Vec<Skipped>,
}

/// Expands `paths` into files, sorted and deduplicated. A missing path is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Discovered>, SourceError> {
    Ok(walk(paths, &WalkLimits::default())?.0)
}

/// Walks `paths` within `limits`: the files found, and what was skipped.
fn walk(
    paths: &[PathBuf],
    limits: &WalkLimits,
) -> Result<(Vec<Discovered>, Vec<Skipped>), SourceError> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut walked = 0usize;
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
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    skipped.push(walk_error(p, &e));
                    continue;
                }
            };
            let Some(ft) = entry.file_type() else {
                continue;
            };
            if ft.is_dir() {
                continue;
            }
            walked += 1;
            if walked > limits.max_files {
                skipped.push(Skipped {
                    path: p.clone(),
                    reason: format!(
                        "walk stopped after {} files; the rest is not linted",
                        limits.max_files
                    ),
                });
                break;
            }
            let path = entry.into_path();
            if ft.is_file() {
                out.push(Discovered {
                    path,
                    explicit: false,
                });
            } else if ft.is_symlink() {
                // A link to a file is linted; a dangling link is reported; a link to a
                // directory is not followed (no loops).
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_file() => out.push(Discovered {
                        path,
                        explicit: false,
                    }),
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => skipped.push(not_regular(path)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => skipped.push(Skipped {
                        path,
                        reason: "symbolic link to a missing file".into(),
                    }),
                    Err(e) => skipped.push(Skipped {
                        path,
                        reason: format!("symbolic link cannot be followed: {}", e.kind()),
                    }),
                }
            } else {
                skipped.push(not_regular(path));
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
    skipped.sort();
    skipped.dedup();
    Ok((out, skipped))
}

fn not_regular(path: PathBuf) -> Skipped {
    Skipped {
        path,
        reason: "not a regular file (fifo, socket or device)".into(),
    }
}

fn walk_error(root: &Path, e: &ignore::Error) -> Skipped {
    let path = match e {
        ignore::Error::WithPath { path, .. } => path.clone(),
        _ => root.to_owned(),
    };
    let why = e
        .io_error()
        .map_or_else(|| "walk error".to_owned(), |io| io.kind().to_string());
    Skipped {
        path,
        reason: format!("cannot read: {why}"),
    }
}

/// Walks and reads `paths` within `limits`. A named path that is missing, unreadable, not
/// a regular file or too large is an error; a walked one is [`Skipped`]. Walked files whose
/// name says nothing are read in full only when their start looks like a Dockerfile.
pub fn collect(paths: &[PathBuf], limits: &WalkLimits) -> Result<Collected, SourceError> {
    let (found, mut skipped) = walk(paths, limits)?;
    let mut files = Vec::with_capacity(found.len());
    let mut bytes = 0u64;
    for d in found {
        if !d.explicit && hint_from_name(&d.path) == NameHint::Other {
            match read_prefix(&d.path, SNIFF_BYTES) {
                Ok(head) if sniff_dockerfile(&head) => {}
                Ok(_) => continue,
                Err(e) => {
                    skipped.push(skip_reason(d.path, &e));
                    continue;
                }
            }
        }
        let text = match read_text(&d.path) {
            Ok(t) => t,
            Err(e) if d.explicit => return Err(e),
            Err(e) => {
                skipped.push(skip_reason(d.path, &e));
                continue;
            }
        };
        bytes += text.len() as u64;
        if !d.explicit && bytes > limits.max_bytes {
            skipped.push(Skipped {
                path: d.path,
                reason: format!(
                    "walk stopped after {} bytes of files; this file and the rest are not linted",
                    limits.max_bytes
                ),
            });
            break;
        }
        files.push(ReadFile {
            path: d.path,
            explicit: d.explicit,
            text,
        });
    }
    Ok(Collected { files, skipped })
}

fn skip_reason(path: PathBuf, e: &SourceError) -> Skipped {
    let reason = match e {
        SourceError::TooLarge { limit, .. } => format!("larger than {limit} bytes"),
        SourceError::NotRegular { .. } => "not a regular file (fifo, socket or device)".into(),
        SourceError::Io { source, .. } => format!("cannot read: {}", source.kind()),
        _ => "cannot read".into(),
    };
    Skipped { path, reason }
}

/// Opens `path` for reading without blocking on a FIFO, and refuses anything but a
/// regular file.
fn open_regular(path: &Path) -> Result<File, SourceError> {
    let io = |source| SourceError::Io {
        path: path.to_owned(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK);
    let f = opts.open(path).map_err(io)?;
    if !f.metadata().map_err(io)?.is_file() {
        return Err(SourceError::NotRegular {
            path: path.to_owned(),
        });
    }
    Ok(f)
}

fn read_prefix(path: &Path, n: u64) -> Result<String, SourceError> {
    let mut buf = Vec::new();
    open_regular(path)?
        .take(n)
        .read_to_end(&mut buf)
        .map_err(|source| SourceError::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Reads a regular file as text (invalid UTF-8 replaced), refusing files over
/// [`MAX_FILE_BYTES`] and FIFOs or devices (without blocking on them).
pub fn read_text(path: &Path) -> Result<String, SourceError> {
    let label = path.to_owned();
    read_capped(open_regular(path)?, &label)
}

/// Reads at most [`MAX_FILE_BYTES`] (plus one, to tell) from `reader` as text; `label` names
/// the input in errors (`<stdin>`).
pub fn read_capped(reader: impl Read, label: &Path) -> Result<String, SourceError> {
    let mut buf = Vec::new();
    reader
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|source| SourceError::Io {
            path: label.to_owned(),
            source,
        })?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(SourceError::TooLarge {
            path: label.to_owned(),
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(match String::from_utf8(buf) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

#[cfg(test)]
mod tests;
