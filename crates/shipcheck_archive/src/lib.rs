//! Bounded reading of release artifacts: a directory, a zip file or a (gzipped) tarball,
//! as one flat list of entries with their SHA-256.
//!
//! Responsibilities: open a tree ([`open`]), iterate its entries ([`Tree::for_each`]) within
//! [`Limits`] (entry count, bytes per entry, bytes in all, depth), refuse path escapes (an
//! entry named `../x` or `/etc/x`, a symbolic link pointing out of the tree) with an error
//! naming the archive and the entry, and hash what it reads.
//!
//! Non-responsibilities: extracting anything to disk, following links, knowing what a
//! package, a plan or a check is.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("a.txt"), "hello").unwrap();
//! let tree = shipcheck_archive::open(dir.path(), shipcheck_archive::Limits::default()).unwrap();
//! let mut names = Vec::new();
//! tree.for_each(|e| { names.push(e.path); Ok(()) }).unwrap();
//! assert_eq!(names, ["a.txt"]);
//! ```

mod dir;
mod error;
mod path;
mod tarball;
mod zipfile;

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use error::Error;
pub use path::{clean_entry_name, link_escapes};

/// Bounds on what one tree may hold; going past one is an error, never a silent cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (files, directories, links).
    pub max_entries: usize,
    /// Most bytes in one entry (as declared, and as read).
    pub max_entry_bytes: u64,
    /// Most bytes in all entries together.
    pub max_total_bytes: u64,
    /// Deepest path (components).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_entry_bytes: 256 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_depth: 64,
        }
    }
}

/// The layout of a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A directory on disk (links are listed, never followed).
    Dir,
    /// A zip file.
    Zip,
    /// A tar file, gzipped (`.tar.gz`, `.tgz`) or not (`.tar`).
    Tar {
        /// Whether the stream is gzipped.
        gzip: bool,
    },
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link and its target (never followed; a target outside the tree is refused).
    Symlink(String),
    /// A tar hard link and the entry it names.
    HardLink(String),
    /// A FIFO, device or socket (not read).
    Other,
}

/// One entry of a tree.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path inside the tree, `/`-separated, without `.` or `..` components.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Unix permission bits, when the format records them.
    pub mode: Option<u32>,
    /// The content of a file (empty otherwise).
    pub data: Vec<u8>,
    /// SHA-256 of `data`, lowercase hex (of the link target for a link).
    pub sha256: String,
}

/// An opened tree, ready to iterate.
#[derive(Debug, Clone)]
pub struct Tree {
    path: PathBuf,
    format: Format,
    limits: Limits,
}

/// Opens `path` as a tree: a directory, or an archive recognised by its first bytes
/// (zip, gzip) or its name (`.tar`).
pub fn open(path: &Path, limits: Limits) -> Result<Tree, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let format = if meta.is_dir() {
        Format::Dir
    } else if meta.is_file() {
        let mut magic = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut magic))
            .map_err(|e| Error::io(path, e))?;
        match &magic[..n] {
            [b'P', b'K', 3, 4] | [b'P', b'K', 5, 6] => Format::Zip,
            [0x1f, 0x8b, ..] => Format::Tar { gzip: true },
            _ if path.extension().is_some_and(|e| e == "tar") => Format::Tar { gzip: false },
            _ => {
                return Err(Error::Format {
                    archive: path.to_path_buf(),
                    message: "not a directory, zip, tar or tar.gz file".into(),
                });
            }
        }
    } else {
        return Err(Error::Format {
            archive: path.to_path_buf(),
            message: "not a regular file or directory".into(),
        });
    };
    Ok(Tree {
        path: path.to_path_buf(),
        format,
        limits,
    })
}

impl Tree {
    /// The path the tree was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its layout.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Calls `visit` for each entry, in the archive's order (directories: sorted by name),
    /// stopping at the first error (its own, or `visit`'s).
    pub fn for_each(&self, mut visit: impl FnMut(Entry) -> Result<(), Error>) -> Result<(), Error> {
        let mut budget = Budget::new(&self.path, self.limits);
        match self.format {
            Format::Dir => dir::walk(&self.path, &mut budget, &mut visit),
            Format::Zip => zipfile::walk(&self.path, &mut budget, &mut visit),
            Format::Tar { gzip } => tarball::walk(&self.path, gzip, &mut budget, &mut visit),
        }
    }

    /// Every entry, collected.
    pub fn entries(&self) -> Result<Vec<Entry>, Error> {
        let mut out = Vec::new();
        self.for_each(|e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }
}

/// What is left of the limits while a tree is read.
pub(crate) struct Budget<'a> {
    archive: &'a Path,
    limits: Limits,
    entries: usize,
    bytes: u64,
}

impl<'a> Budget<'a> {
    fn new(archive: &'a Path, limits: Limits) -> Self {
        Self {
            archive,
            limits,
            entries: 0,
            bytes: 0,
        }
    }

    /// Counts one more entry named `name` (cleaned), checking count and depth.
    pub(crate) fn entry(&mut self, name: &str) -> Result<(), Error> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(Error::TooMany {
                archive: self.archive.to_path_buf(),
                limit: self.limits.max_entries,
            });
        }
        if name.split('/').count() > self.limits.max_depth {
            return Err(self.unsafe_entry(
                name,
                format!("deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// Refuses an entry whose declared size is over the per-entry limit, before reading it.
    pub(crate) fn declared(&self, name: &str, size: u64) -> Result<(), Error> {
        if size > self.limits.max_entry_bytes {
            return Err(Error::TooLarge {
                archive: self.archive.to_path_buf(),
                entry: name.to_owned(),
                size,
                limit: self.limits.max_entry_bytes,
            });
        }
        Ok(())
    }

    /// Reads an entry's content within the per-entry and total limits, whatever its
    /// header declared.
    pub(crate) fn read(&mut self, name: &str, reader: impl Read) -> Result<Vec<u8>, Error> {
        let room = self
            .limits
            .max_entry_bytes
            .min(self.limits.max_total_bytes.saturating_sub(self.bytes));
        let mut data = Vec::new();
        reader
            .take(room.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| Error::Entry {
                archive: self.archive.to_path_buf(),
                entry: name.to_owned(),
                source: e,
            })?;
        if data.len() as u64 > room {
            return Err(if room < self.limits.max_entry_bytes {
                Error::TotalTooLarge {
                    archive: self.archive.to_path_buf(),
                    limit: self.limits.max_total_bytes,
                }
            } else {
                Error::TooLarge {
                    archive: self.archive.to_path_buf(),
                    entry: name.to_owned(),
                    size: data.len() as u64,
                    limit: self.limits.max_entry_bytes,
                }
            });
        }
        self.bytes += data.len() as u64;
        Ok(data)
    }

    pub(crate) fn unsafe_entry(&self, entry: &str, reason: impl Into<String>) -> Error {
        Error::Unsafe {
            archive: self.archive.to_path_buf(),
            entry: entry.to_owned(),
            reason: reason.into(),
        }
    }

    /// The entry for a link, refused when its target leaves the tree.
    pub(crate) fn link(
        &self,
        name: &str,
        target: &str,
        hard: bool,
        mode: Option<u32>,
    ) -> Result<Entry, Error> {
        let escapes = if hard {
            clean_entry_name(target).is_err()
        } else {
            link_escapes(name, target)
        };
        if escapes {
            return Err(self.unsafe_entry(
                name,
                format!("its link target `{target}` points outside the tree"),
            ));
        }
        Ok(Entry {
            path: name.to_owned(),
            kind: if hard {
                EntryKind::HardLink(target.to_owned())
            } else {
                EntryKind::Symlink(target.to_owned())
            },
            mode,
            data: Vec::new(),
            sha256: sha256_hex(target.as_bytes()),
        })
    }
}

/// SHA-256 of `data`, lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// SHA-256 of a file's content (read in blocks, at most `max_bytes`), lowercase hex.
pub fn sha256_file(path: &Path, max_bytes: u64) -> Result<String, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = file.take(max_bytes.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > max_bytes {
            return Err(Error::TooLarge {
                archive: path.to_path_buf(),
                entry: String::new(),
                size: total,
                limit: max_bytes,
            });
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A file entry.
pub(crate) fn file_entry(path: String, mode: Option<u32>, data: Vec<u8>) -> Entry {
    Entry {
        sha256: sha256_hex(&data),
        path,
        kind: EntryKind::File,
        mode,
        data,
    }
}

/// A directory or other entry without content.
pub(crate) fn bare_entry(path: String, kind: EntryKind, mode: Option<u32>) -> Entry {
    Entry {
        path,
        kind,
        mode,
        data: Vec::new(),
        sha256: String::new(),
    }
}

#[cfg(test)]
mod tests;
