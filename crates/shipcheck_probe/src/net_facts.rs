//! What the `webhook` probe observed.

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
