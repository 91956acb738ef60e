//! What the `tls` probe observed: the session, the chain as sent, and which protocol
//! versions the server accepts.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// Facts of one `tls` attempt.
#[derive(Debug, Clone, Default)]
pub struct TlsFacts {
    /// `host:port` connected to.
    pub target: String,
    /// Name sent as SNI and matched against the certificate.
    pub server_name: String,
    /// Negotiated protocol, e.g. `TLSv1.3`.
    pub version: String,
    /// Negotiated cipher suite.
    pub cipher: String,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// Certificates as sent, leaf first.
    pub chain: Vec<CertFacts>,
    /// Why the chain does not verify for the server name (`None`: it verifies).
    pub problem: Option<String>,
    /// Protocol version → whether the server accepts it (`Err`: could not tell, and why).
    pub accepts: BTreeMap<String, Result<bool, String>>,
    /// TLS handshake time.
    pub handshake_ms: f64,
    /// Whole attempt.
    pub duration_ms: f64,
}

/// One certificate of the chain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CertFacts {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// DNS names and IP addresses of the subjectAltName extension.
    pub sans: Vec<String>,
    /// notBefore, RFC 3339.
    pub not_before: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// notAfter, Unix seconds.
    pub not_after_unix: i64,
    /// `RSA`, `EC`, `Ed25519`…
    pub key_type: String,
    /// Key size in bits (0 when unknown).
    pub key_bits: usize,
    /// Signature algorithm, e.g. `ecdsa-with-SHA256`.
    pub signature_algorithm: String,
    /// Subject equals issuer.
    pub self_signed: bool,
}

impl TlsFacts {
    /// The facts as a JSON document, for `json:` expectations.
    pub fn to_json(&self) -> Value {
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
    pub fn expires_in_ms(&self, now_unix_ms: i128) -> Option<(f64, &CertFacts)> {
        self.chain.iter().min_by_key(|c| c.not_after_unix).map(|c| {
            (
                (i128::from(c.not_after_unix) * 1000 - now_unix_ms) as f64,
                c,
            )
        })
    }
}
