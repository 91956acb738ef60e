//! Errors of rendering.

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Writing to the output failed.
    #[error("could not write the {format} report")]
    Write {
        /// The format being written (`terminal`, `markdown`, `json`, `junit`, `sarif`).
        format: &'static str,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Serialising the report to JSON failed.
    #[error("could not serialise the report to JSON")]
    Json(#[source] serde_json::Error),
    /// Serialising the JUnit XML failed.
    #[error("could not serialise the JUnit XML report")]
    Junit(#[source] quick_junit::SerializeError),
    /// The rendered text was not valid UTF-8 (only from `render_to_string`).
    #[error("the rendered report is not valid UTF-8")]
    Utf8(#[source] std::string::FromUtf8Error),
}

impl RenderError {
    /// Wraps an I/O error with the format that was being written.
    pub(crate) fn write(format: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| RenderError::Write { format, source }
    }
}

/// A format name that is not one of `terminal`, `md`, `markdown`, `json`, `junit`, `sarif`,
/// `github`, `gitlab`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown report format `{given}` (expected terminal, md, markdown, json, junit, sarif, github or gitlab)"
)]
pub struct UnknownFormat {
    /// The name that was given.
    pub given: String,
}
