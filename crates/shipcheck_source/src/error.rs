//! Errors of this crate.

use std::path::PathBuf;

/// Why a path could not be read or walked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// A path named on the command line does not exist.
    #[error("{path}: no such file or directory")]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A file or directory could not be read.
    #[error("{path}: cannot read")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is larger than the size cap.
    #[error("{path}: larger than {limit} bytes")]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The cap in bytes.
        limit: u64,
    },
    /// A path that must be a regular file is a FIFO, socket or device.
    #[error("{path}: not a regular file (fifo, socket or device)")]
    NotRegular {
        /// The path.
        path: PathBuf,
    },
    /// Walking a directory failed.
    #[error("{path}: cannot walk directory")]
    Walk {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ignore::Error,
    },
}
