//! Errors of [`send`](crate::send), each naming the host and the failing step.

use std::fmt;
use std::time::Duration;

use shipcheck_report::FailureClass;

/// Why an exchange could not complete.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The request itself is unusable (scheme, host, header).
    #[error("invalid request to {url}: {reason}")]
    InvalidRequest {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Name resolution failed or returned no address.
    #[error("dns lookup for {host} failed: {reason}")]
    Dns {
        /// The name looked up.
        host: String,
        /// Resolver message.
        reason: String,
    },
    /// No TCP connection could be made.
    #[error("connect to {addr}: {reason}")]
    Connect {
        /// `host:port` (and the address tried, when resolved).
        addr: String,
        /// e.g. `connection refused`.
        reason: String,
    },
    /// The TLS handshake failed.
    #[error("tls handshake with {addr} failed: {detail}")]
    Tls {
        /// `host:port`.
        addr: String,
        /// Which problem, precisely.
        problem: TlsProblem,
        /// The problem in words, naming the certificate when one was presented (e.g.
        /// `self-signed certificate for CN=api.test (not issued by a trusted CA)`).
        detail: String,
    },
    /// The TLS client could not be configured (e.g. `extra_ca_pem` holds no usable certificate).
    #[error("tls configuration: {reason}")]
    TlsConfig {
        /// What is wrong.
        reason: String,
    },
    /// The `timeout` elapsed.
    #[error("timed out after {} {} {target}", fmt_duration(*.after), .phase.doing())]
    Timeout {
        /// The phase that was active.
        phase: Phase,
        /// The configured timeout.
        after: Duration,
        /// What was being waited for (`host` or `host:port`).
        target: String,
    },
    /// The server's answer was not valid HTTP, or the connection broke mid-exchange.
    #[error("invalid or incomplete response from {addr}: {reason}")]
    Protocol {
        /// `host:port`.
        addr: String,
        /// What went wrong.
        reason: String,
    },
    /// A redirect's `Location` could not be followed.
    #[error("bad redirect from {url}: location {location:?} {reason}")]
    BadRedirect {
        /// The URL that answered with the redirect.
        url: String,
        /// The `Location` value.
        location: String,
        /// Why it cannot be followed.
        reason: String,
    },
    /// More redirects than the hard cap.
    #[error("too many redirects: more than {limit} starting from {url}")]
    TooManyRedirects {
        /// The hard cap.
        limit: u32,
        /// The first URL.
        url: String,
    },
}

impl HttpError {
    /// The report's failure class for this error.
    pub fn class(&self) -> FailureClass {
        match self {
            HttpError::Dns { .. } => FailureClass::Dns,
            HttpError::Connect { .. } => FailureClass::Connect,
            HttpError::Tls { .. } | HttpError::TlsConfig { .. } => FailureClass::Tls,
            HttpError::Timeout { .. } => FailureClass::Timeout,
            HttpError::InvalidRequest { .. }
            | HttpError::Protocol { .. }
            | HttpError::BadRedirect { .. }
            | HttpError::TooManyRedirects { .. } => FailureClass::Protocol,
        }
    }
}

/// The phase of an exchange, for timeout messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Resolving the host name.
    Dns,
    /// Opening the TCP connection.
    Connect,
    /// TLS handshake.
    Tls,
    /// Sending the request and waiting for the response head.
    FirstByte,
    /// Reading the response body.
    Body,
}

impl Phase {
    /// Kebab-case name: `dns`, `connect`, `tls`, `first-byte`, `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Dns => "dns",
            Phase::Connect => "connect",
            Phase::Tls => "tls",
            Phase::FirstByte => "first-byte",
            Phase::Body => "body",
        }
    }

    fn doing(self) -> &'static str {
        match self {
            Phase::Dns => "resolving",
            Phase::Connect => "connecting to",
            Phase::Tls => "in the tls handshake with",
            Phase::FirstByte => "waiting for the response from",
            Phase::Body => "reading the response body from",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The precise TLS problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The certificate's notAfter is in the past.
    #[error("certificate expired")]
    Expired,
    /// The certificate's notBefore is in the future.
    #[error("certificate not yet valid")]
    NotYetValid,
    /// No subject name matches the host.
    #[error("certificate not valid for host {host}")]
    NotValidForName {
        /// The host that was expected.
        host: String,
    },
    /// The chain does not lead to a trusted root (includes self-signed certificates).
    #[error("certificate has an unknown issuer or is self-signed")]
    UnknownIssuer,
    /// A certificate signature does not verify.
    #[error("bad certificate signature")]
    BadSignature,
    /// The certificate was revoked.
    #[error("certificate revoked")]
    Revoked,
    /// The certificate is not for server authentication.
    #[error("certificate not valid for server authentication")]
    InvalidPurpose,
    /// A CA certificate (not self-signed) was presented as the server certificate.
    #[error("a CA certificate was presented as the server certificate")]
    CaUsedAsServerCertificate,
    /// Another certificate problem.
    #[error("invalid certificate: {0}")]
    OtherCertificate(String),
    /// The handshake failed for a reason not about the certificate (protocol, alert, cipher).
    #[error("handshake failure: {0}")]
    Handshake(String),
    /// The connection went away mid-handshake (closed, reset, aborted): nothing was
    /// negotiated or refused.
    #[error("handshake failure: {0}")]
    ConnectionLost(String),
}

/// `2s`, `1.5s`, `250ms`.
pub(crate) fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_message_names_phase_and_target() {
        let e = HttpError::Timeout {
            phase: Phase::FirstByte,
            after: Duration::from_secs(2),
            target: "127.0.0.1:8080".into(),
        };
        assert_eq!(
            e.to_string(),
            "timed out after 2s waiting for the response from 127.0.0.1:8080"
        );
        assert_eq!(e.class(), FailureClass::Timeout);
    }

    #[test]
    fn durations_format_compactly() {
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(fmt_duration(Duration::from_secs(30)), "30s");
    }

    #[test]
    fn tls_message_says_which_problem() {
        let problem = TlsProblem::NotValidForName {
            host: "localhost".into(),
        };
        let e = HttpError::Tls {
            addr: "localhost:443".into(),
            detail: problem.to_string(),
            problem,
        };
        assert_eq!(
            e.to_string(),
            "tls handshake with localhost:443 failed: certificate not valid for host localhost"
        );
        assert_eq!(e.class(), FailureClass::Tls);
    }
}
