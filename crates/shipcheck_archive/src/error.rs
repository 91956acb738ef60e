//! Errors of reading a tree: each names the archive (and the entry, when there is one).

use std::path::{Path, PathBuf};

/// Why a tree could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file or directory could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An entry's content could not be read (a corrupt or truncated archive).
    #[error("cannot read `{entry}` in {}", archive.display())]
    Entry {
        /// The archive.
        archive: PathBuf,
        /// The entry.
        entry: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Not a format this crate reads, or a corrupt archive.
    #[error("{}: {message}", archive.display())]
    Format {
        /// The archive.
        archive: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An entry that would land outside the tree (zip-slip) or a link out of it.
    #[error("{} holds an unsafe entry `{entry}`: {reason}", archive.display())]
    Unsafe {
        /// The archive.
        archive: PathBuf,
        /// The entry, as named in the archive.
        entry: String,
        /// Why it is refused.
        reason: String,
    },
    /// An entry larger than the per-entry limit (as declared or as read).
    #[error("`{entry}` in {} is {size} bytes, over the limit of {limit} bytes", archive.display())]
    TooLarge {
        /// The archive.
        archive: PathBuf,
        /// The entry.
        entry: String,
        /// Its declared size, or the bytes read before the limit was passed.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// More bytes in all entries than the total limit.
    #[error("{} holds more than {limit} bytes in all", archive.display())]
    TotalTooLarge {
        /// The archive.
        archive: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// More entries than the limit.
    #[error("{} holds more than {limit} entries", archive.display())]
    TooMany {
        /// The archive.
        archive: PathBuf,
        /// The limit.
        limit: usize,
    },
}

impl Error {
    /// The message with its causes, on one line (for reports that show one string).
    pub fn with_causes(&self) -> String {
        let mut s = self.to_string();
        let mut cur = std::error::Error::source(self);
        while let Some(c) = cur {
            s.push_str(": ");
            s.push_str(&c.to_string());
            cur = c.source();
        }
        s
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
