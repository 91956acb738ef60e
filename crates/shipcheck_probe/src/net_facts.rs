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

/// One WebSocket session.
#[derive(Debug, Clone, Default)]
pub struct WsFacts {
    /// URL connected to (as sent; the runner redacts secrets in it).
    pub url: String,
    /// Handshake response status (101 when upgraded).
    pub status: u16,
    /// Messages received, in order: JSON when they parse as JSON, else text.
    pub messages: Vec<Value>,
    /// Messages sent.
    pub sent: usize,
    /// The server closed the session with a close frame (code 1000, 1001, or none).
    pub closed_cleanly: bool,
    /// Close code and reason sent by the server.
    pub close: Option<(u16, String)>,
    /// Why collection stopped (`closed`, `within elapsed`, `max_messages`, or an error).
    pub ended: String,
    /// Time of the session.
    pub duration_ms: f64,
}

impl WsFacts {
    /// The messages as a JSON array, for `json:` expectations and captures.
    pub fn to_json(&self) -> Value {
        Value::Array(self.messages.clone())
    }
}
