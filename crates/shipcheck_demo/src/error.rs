//! The demo service's error type.

use std::path::PathBuf;

/// Why the demo service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// A file or directory under the data directory could not be written.
    #[error("cannot write {path}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A listening socket could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address that was asked for.
        addr: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The SQLite database could not be created or seeded.
    #[error("cannot prepare the demo database {path}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: rusqlite::Error,
    },
    /// The CA or server certificate could not be generated.
    #[error("cannot generate the demo certificates")]
    Certificate(#[source] rcgen::Error),
    /// The TLS server configuration was rejected.
    #[error("cannot configure TLS for the demo service")]
    Tls(#[source] rustls::Error),
    /// Randomness was unavailable (password or token generation).
    #[error("the system random number generator failed")]
    Random,
}
