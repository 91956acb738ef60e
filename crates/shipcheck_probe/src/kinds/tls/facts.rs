//! What the `tls` probe observed (the session, the chain as sent, and which protocol
//! versions the server accepts) and how its queries read it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

use super::spec::TLS_VERSIONS;

/// Facts of one `tls` attempt.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsFacts {
    /// `host:port` connected to.
    pub(crate) target: String,
    /// Name sent as SNI and matched against the certificate.
    pub(crate) server_name: String,
    /// Negotiated protocol, e.g. `TLSv1.3`.
    pub(crate) version: String,
    /// Negotiated cipher suite.
    pub(crate) cipher: String,
    /// Negotiated ALPN protocol.
    pub(crate) alpn: Option<String>,
    /// Certificates as sent, leaf first.
    pub(crate) chain: Vec<CertFacts>,
    /// Why the chain does not verify for the server name (`None`: it verifies).
    pub(crate) problem: Option<String>,
    /// Protocol version → whether the server accepts it (`Err`: could not tell, and why).
    pub(crate) accepts: BTreeMap<String, Result<bool, String>>,
    /// TLS handshake time.
    pub(crate) handshake_ms: f64,
    /// Whole attempt.
    pub(crate) duration_ms: f64,
}

/// One certificate of the chain.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CertFacts {
    /// Subject distinguished name.
    pub(crate) subject: String,
    /// Issuer distinguished name.
    pub(crate) issuer: String,
    /// DNS names and IP addresses of the subjectAltName extension.
    pub(crate) sans: Vec<String>,
    /// notBefore, RFC 3339.
    pub(crate) not_before: String,
    /// notAfter, RFC 3339.
    pub(crate) not_after: String,
    /// notAfter, Unix seconds.
    pub(crate) not_after_unix: i64,
    /// `RSA`, `EC`, `Ed25519`…
    pub(crate) key_type: String,
    /// Key size in bits (0 when unknown).
    pub(crate) key_bits: usize,
    /// Signature algorithm, e.g. `ecdsa-with-SHA256`.
    pub(crate) signature_algorithm: String,
    /// Subject equals issuer.
    pub(crate) self_signed: bool,
}

impl TlsFacts {
    /// The facts as a JSON document, for `json:` expectations.
    pub(crate) fn to_json(&self) -> Value {
        let chain: Vec<Value> = self
            .chain
            .iter()
            .map(|c| {
                json!({
                    "subject": c.subject,
                    "issuer": c.issuer,
                    "sans": c.sans,
                    "not_before": c.not_before,
                    "not_after": c.not_after,
                    "key_type": c.key_type,
                    "key_bits": c.key_bits,
                    "signature_algorithm": c.signature_algorithm,
                    "self_signed": c.self_signed,
                })
            })
            .collect();
        let accepts: serde_json::Map<String, Value> = self
            .accepts
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_ref().map_or(Value::Null, |b| Value::Bool(*b)),
                )
            })
            .collect();
        json!({
            "target": self.target,
            "server_name": self.server_name,
            "version": self.version,
            "cipher": self.cipher,
            "alpn": self.alpn,
            "valid": self.problem.is_none(),
            "problem": self.problem,
            "chain": chain,
            "accepts": accepts,
        })
    }

    /// Milliseconds until the first certificate of the chain expires (negative: expired),
    /// and which certificate that is.
    pub(crate) fn expires_in_ms(&self, now_unix_ms: i128) -> Option<(f64, &CertFacts)> {
        self.chain.iter().min_by_key(|c| c.not_after_unix).map(|c| {
            (
                (i128::from(c.not_after_unix) * 1000 - now_unix_ms) as f64,
                c,
            )
        })
    }
}

impl Facts for TlsFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        Ok(Cow::Owned(self.to_json()))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Now, in Unix milliseconds.
fn now_ms() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i128)
}

/// What a `tls` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TlsQuery {
    /// The certificate chain verifies for the server name (bool).
    Valid,
    /// Negotiated protocol version (`TLSv1.3`).
    Version,
    /// Negotiated protocol version as a number (`1.3`), for `min_version`.
    VersionNumber,
    /// Negotiated cipher suite.
    Cipher,
    /// Negotiated ALPN protocol.
    Alpn,
    /// Leaf certificate issuer (distinguished name).
    Issuer,
    /// Time until the first certificate of the chain expires.
    ExpiresIn,
    /// Whether the server accepts this protocol version (`TLSv1.0` … `TLSv1.3`).
    Accepts(String),
}

impl Select for TlsQuery {
    fn subject(&self) -> String {
        match self {
            TlsQuery::Valid => "certificate valid".into(),
            TlsQuery::Version => "tls version".into(),
            TlsQuery::VersionNumber => "minimum tls version".into(),
            TlsQuery::Cipher => "cipher suite".into(),
            TlsQuery::Alpn => "alpn".into(),
            TlsQuery::Issuer => "issuer".into(),
            TlsQuery::ExpiresIn => "expires in".into(),
            TlsQuery::Accepts(v) => format!("accepts {v}"),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &TlsFacts = facts_as(facts, "tls")?;
        Ok(match self {
            TlsQuery::Valid => Selected::one(f.problem.is_none()),
            TlsQuery::Version => Selected::one(f.version.clone()),
            TlsQuery::VersionNumber => match TLS_VERSIONS.iter().find(|(n, _)| *n == f.version) {
                Some((_, n)) => Selected::one(*n),
                None => return Err(format!("unknown version {}", f.version)),
            },
            TlsQuery::Cipher => Selected::one(f.cipher.clone()),
            TlsQuery::Alpn => Selected {
                values: f.alpn.iter().map(|a| Value::String(a.clone())).collect(),
                unit: Unit::Number,
            },
            TlsQuery::Issuer => match f.chain.first() {
                Some(c) => Selected::one(c.issuer.clone()),
                None => return Err("the server sent no certificate".into()),
            },
            TlsQuery::ExpiresIn => match f.expires_in_ms(now_ms()) {
                Some((ms, _)) => Selected::with_unit(ms, Unit::Millis),
                None => return Err("the server sent no certificate".into()),
            },
            TlsQuery::Accepts(v) => match f.accepts.get(v) {
                Some(Ok(b)) => Selected::one(*b),
                Some(Err(e)) => return Err(format!("could not tell whether {v} is accepted: {e}")),
                None => return Err(format!("{v} was not asked")),
            },
        })
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &TlsFacts = facts_as(facts, "tls").ok()?;
        match self {
            TlsQuery::Valid => f.problem.clone(),
            TlsQuery::ExpiresIn => f.expires_in_ms(now_ms()).map(|(ms, c)| {
                format!(
                    "{:.1} days, {} on {}",
                    ms / 86_400_000.0,
                    c.subject,
                    c.not_after
                )
            }),
            _ => None,
        }
    }
}
