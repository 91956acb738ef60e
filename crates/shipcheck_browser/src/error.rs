//! What can stop a browser check from running at all (as opposed to a page that fails).

/// Why the browser could not be started or driven.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No Chromium binary was found.
    #[error(
        "Chromium was not found ({looked}): install it (Debian/Ubuntu: `apt-get install chromium`) or give its path with the check's `chromium:` key or SHIPCHECK_CHROMIUM"
    )]
    NotFound {
        /// Where it was looked for.
        looked: String,
    },
    /// The binary could not be started, or exited before it was ready.
    #[error("cannot start Chromium `{program}`: {why}")]
    Start {
        /// The binary.
        program: String,
        /// What went wrong (its last output lines when it exited).
        why: String,
    },
    /// The DevTools protocol failed.
    #[error("{doing}: {why}")]
    Protocol {
        /// What was being done.
        doing: &'static str,
        /// The driver's message.
        why: String,
    },
    /// A bounded operation did not finish in time.
    #[error("{0} did not finish in time")]
    Timeout(&'static str),
}

impl Error {
    pub(crate) fn protocol(
        doing: &'static str,
    ) -> impl FnOnce(chromiumoxide::error::CdpError) -> Self {
        move |e| Error::Protocol {
            doing,
            why: e.to_string(),
        }
    }
}
