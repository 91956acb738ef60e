//! Errors of the linter (usage-level problems; findings are not errors).

use std::path::PathBuf;

/// Why a lint run could not be carried out (exit code 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LintError {
    /// A named path is missing or unreadable, or a directory walk failed.
    #[error(transparent)]
    Source(#[from] shipcheck_source::SourceError),
    /// A config file could not be read.
    #[error("{path}: cannot read config")]
    Io {
        /// The config path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A config file is invalid.
    #[error("{path}: {message}")]
    Config {
        /// The config path.
        path: PathBuf,
        /// What is wrong, with line:column.
        message: String,
    },
    /// A file named explicitly is of a kind shipcheck does not lint.
    #[error("{path}: not a Kubernetes manifest, compose file, Dockerfile or .env file")]
    UnknownKind {
        /// The path.
        path: PathBuf,
    },
    /// stdin could not be read.
    #[error("cannot read stdin")]
    Stdin(#[source] std::io::Error),
}
