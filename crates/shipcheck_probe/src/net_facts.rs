//! What the `websocket` and `webhook` probes observed.

use serde_json::Value;

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

/// One delivery of the `webhook` probe.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// Response status.
    pub status: u16,
    /// The signature header value sent.
    pub signature: String,
    /// Response (at most the evidence cap) and request summary.
    pub transcript: String,
}

/// A signed and a tampered webhook delivery.
#[derive(Debug, Clone, Default)]
pub struct WebhookFacts {
    /// URL posted to.
    pub url: String,
    /// The signed delivery (if sent).
    pub accepted: Option<Delivery>,
    /// The same signature with a changed body (if sent).
    pub rejected: Option<Delivery>,
    /// Both deliveries.
    pub duration_ms: f64,
}
