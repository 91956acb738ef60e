//! Why a release could not be decoded: each error names the layer that failed.

/// Why a release object or payload could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The object has no `data.release` string.
    #[error("no `data.release` string in the object")]
    NoRelease,
    /// A Secret whose `type` is not Helm's.
    #[error("Secret of type `{found}`, not `helm.sh/release.v1`")]
    NotHelmSecret {
        /// The `type` found.
        found: String,
    },
    /// A base64 layer is not valid base64.
    #[error("{layer} is not valid base64")]
    Base64 {
        /// Which layer: the API's (Secret `data`) or Helm's.
        layer: &'static str,
        /// The cause.
        #[source]
        source: base64::DecodeError,
    },
    /// The encoded payload is larger than the input cap.
    #[error("the encoded release is {len} bytes, over the limit of {limit} bytes")]
    EncodedTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The gzip stream is corrupt or truncated.
    #[error("the release's gzip stream is corrupt")]
    Gzip {
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Decompressing would exceed the output cap (a decompression bomb, or a release
    /// larger than expected).
    #[error(
        "the release decompresses to more than {limit} bytes (a decompression bomb, or raise the cap)"
    )]
    TooLarge {
        /// The cap on decompressed bytes.
        limit: usize,
    },
    /// The decoded bytes are not a Helm release's JSON.
    #[error("the decoded release is not Helm release JSON")]
    Json {
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

impl DecodeError {
    /// The message with its causes, on one line (for reports that show one string).
    pub fn with_causes(&self) -> String {
        let mut s = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            s.push_str(": ");
            s.push_str(&c.to_string());
            cause = c.source();
        }
        s
    }
}
