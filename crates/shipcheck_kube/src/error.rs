//! [`KubeError`]: what went wrong talking to the API server, classified as the report's
//! failure classes are.

use std::fmt;

use shipcheck_report::FailureClass;

/// A failure to configure, reach or read the API server.
#[derive(Debug, Clone)]
pub struct KubeError {
    /// `connect` (no kubeconfig, nothing listening), `auth` (401/403, a credential plugin
    /// failing), `tls`, `timeout` or `protocol` (an unexpected answer).
    pub class: FailureClass,
    /// What happened, naming the server, file or resource.
    pub message: String,
}

impl KubeError {
    pub(crate) fn new(class: FailureClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
        }
    }

    /// Classifies an error of the kube client by its source chain.
    pub(crate) fn from_client(context: &str, e: &kube::Error) -> Self {
        if let kube::Error::Auth(a) = e {
            return Self::new(FailureClass::Auth, format!("{context}: credentials: {a}"));
        }
        let mut chain = Vec::new();
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut class = FailureClass::Connect;
        while let Some(err) = cur {
            chain.push(err.to_string());
            if let Some(io) = err.downcast_ref::<std::io::Error>() {
                class = match io.kind() {
                    std::io::ErrorKind::TimedOut => FailureClass::Timeout,
                    _ => class,
                };
            }
            cur = err.source();
        }
        let text = chain.last().cloned().unwrap_or_default();
        let lower = chain.join(" ").to_ascii_lowercase();
        if class == FailureClass::Connect
            && (lower.contains("certificate")
                || lower.contains("tls")
                || lower.contains("handshake"))
        {
            class = FailureClass::Tls;
        }
        if class == FailureClass::Connect
            && (lower.contains("timed out") || lower.contains("elapsed"))
        {
            class = FailureClass::Timeout;
        }
        Self::new(class, format!("{context}: {text}"))
    }
}

impl fmt::Display for KubeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class.as_str(), self.message)
    }
}

impl std::error::Error for KubeError {}
