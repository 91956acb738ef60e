//! What the `tcp` and `dns` probes observed.

use serde_json::{Value, json};

/// One TCP connection attempt.
#[derive(Debug, Clone, Default)]
pub struct TcpFacts {
    /// `host:port` tried.
    pub target: String,
    /// The address connected to (or the last one tried).
    pub address: Option<String>,
    /// The connection was accepted.
    pub open: bool,
    /// Why not (`connection refused`, `no answer within …`).
    pub reason: Option<String>,
    /// Time of the attempt.
    pub duration_ms: f64,
}

/// One DNS lookup.
#[derive(Debug, Clone, Default)]
pub struct DnsFacts {
    /// Name looked up.
    pub name: String,
    /// `A` or `AAAA`.
    pub record: String,
    /// Nameserver asked (`system` for the system resolver).
    pub nameserver: String,
    /// Response code (`NOERROR`, `NXDOMAIN`…; `system` lookups give `NOERROR` or the error).
    pub rcode: String,
    /// Addresses answered, in answer order.
    pub addresses: Vec<String>,
    /// Time of the lookup.
    pub duration_ms: f64,
}

impl DnsFacts {
    /// The facts as a JSON document, for `json:` expectations.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.record,
            "nameserver": self.nameserver,
            "rcode": self.rcode,
            "addresses": self.addresses,
        })
    }
}
