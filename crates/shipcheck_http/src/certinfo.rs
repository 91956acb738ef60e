//! The names and dates of a rejected certificate, and the sentence that explains the rejection.

use std::fmt;

use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::TlsProblem;

/// What a user needs to know about the certificate a server presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertNames {
    /// Subject, e.g. `CN=api.example.com`.
    pub(crate) subject: String,
    /// Issuer, e.g. `CN=Example CA`.
    pub(crate) issuer: String,
    pub(crate) self_signed: bool,
    /// `YYYY-MM-DD`.
    pub(crate) not_before: String,
    pub(crate) not_after: String,
}

impl CertNames {
    pub(crate) fn parse(der: &[u8]) -> Option<CertNames> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let subject = cert.subject().to_string();
        let issuer = cert.issuer().to_string();
        let date = |t: &x509_parser::time::ASN1Time| {
            time::OffsetDateTime::from_unix_timestamp(t.timestamp())
                .map(|d| d.date().to_string())
                .unwrap_or_else(|_| "an unreadable date".into())
        };
        Some(CertNames {
            self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
            not_before: date(&cert.validity().not_before),
            not_after: date(&cert.validity().not_after),
            subject: if subject.is_empty() {
                "an unnamed subject".into()
            } else {
                subject
            },
            issuer,
        })
    }
}

/// A certificate rejection: the problem, plus the certificate when it could be read. It
/// travels inside the rustls error, so a shared client configuration needs no per-connection
/// state to explain a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub(crate) problem: TlsProblem,
    pub(crate) cert: Option<CertNames>,
}

impl Rejected {
    pub(crate) fn new(problem: TlsProblem, leaf: Option<&CertificateDer<'_>>) -> Rejected {
        let cert = leaf.and_then(|der| CertNames::parse(der.as_ref()));
        // A self-signed certificate marked as a CA is still "not issued by a trusted CA".
        let problem = match (&problem, &cert) {
            (TlsProblem::CaUsedAsServerCertificate, Some(c)) if c.self_signed => {
                TlsProblem::UnknownIssuer
            }
            _ => problem,
        };
        Rejected { problem, cert }
    }
}

impl std::error::Error for Rejected {}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(c) = &self.cert else {
            return write!(f, "{}", self.problem);
        };
        match &self.problem {
            TlsProblem::UnknownIssuer if c.self_signed => write!(
                f,
                "self-signed certificate for {} (not issued by a trusted CA)",
                c.subject
            ),
            TlsProblem::UnknownIssuer => write!(
                f,
                "certificate for {} is issued by {}, which is not a trusted CA",
                c.subject, c.issuer
            ),
            TlsProblem::Expired => write!(
                f,
                "certificate expired: {} was valid until {}",
                c.subject, c.not_after
            ),
            TlsProblem::NotYetValid => write!(
                f,
                "certificate not yet valid: {} is valid from {}",
                c.subject, c.not_before
            ),
            TlsProblem::CaUsedAsServerCertificate => write!(
                f,
                "certificate for {} is a CA certificate, not a server certificate",
                c.subject
            ),
            TlsProblem::NotValidForName { host } => write!(
                f,
                "certificate for {} is not valid for host {host}",
                c.subject
            ),
            other => write!(f, "{other} ({})", c.subject),
        }
    }
}

/// `CaUsedAsEndEntity` → `ca used as end entity`: a readable form of an upstream enum name.
pub(crate) fn words(debug: &str) -> String {
    let name = debug.split(['(', '{', ' ']).next().unwrap_or(debug);
    let mut out = String::with_capacity(name.len() + 8);
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        out.extend(ch.to_lowercase());
    }
    out.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_names_become_words() {
        assert_eq!(words("CaUsedAsEndEntity"), "ca used as end entity");
        assert_eq!(words("HandshakeFailure"), "handshake failure");
        assert_eq!(
            words("UnsupportedCriticalExtension { oid: 1 }"),
            "unsupported critical extension"
        );
    }
}
