//! The load generator's errors.

use std::net::SocketAddr;

/// Why a load run could not start or a result could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The URL is not an `http://` URL the generator can load.
    #[error("invalid load target `{url}`: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host is not loopback and was not allowed.
    #[error(
        "refusing to send load to `{host}`: only loopback targets (127.0.0.0/8, ::1, localhost) are loaded unless the host is allowed (`--allow-target {host}` or `allow_targets: [{host}]`){detail}"
    )]
    NotAllowed {
        /// The host named in the URL.
        host: String,
        /// Which address made it non-loopback, when it resolved.
        detail: String,
    },
    /// The host did not resolve.
    #[error("cannot resolve `{host}`: {message}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's message.
        message: String,
    },
    /// No connection could be opened at the start of the run.
    #[error("cannot connect to {addr}: {message}")]
    Connect {
        /// The address tried.
        addr: SocketAddr,
        /// The system's message.
        message: String,
    },
    /// The configuration is out of bounds.
    #[error("invalid load settings: {0}")]
    Config(String),
    /// A worker thread could not be started or died.
    #[error("load worker: {0}")]
    Worker(String),
    /// A saved result could not be read back.
    #[error("invalid load result: {0}")]
    Result(String),
}
