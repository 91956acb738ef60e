//! What a `webhook` check observed (the signed and the tampered delivery), and how
//! `accepted` and `rejected` read it.

use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

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

impl Facts for WebhookFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `webhook` expectation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WebhookQuery {
    /// Status of the validly signed delivery.
    Accepted,
    /// Status of the tampered delivery.
    Rejected,
}

impl Select for WebhookQuery {
    fn subject(&self) -> String {
        match self {
            WebhookQuery::Accepted => "status of the signed delivery".into(),
            WebhookQuery::Rejected => "status of the tampered delivery".into(),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &WebhookFacts = facts_as(facts, "webhook")?;
        match self {
            WebhookQuery::Accepted => match &f.accepted {
                Some(d) => Ok(Selected::one(d.status)),
                None => Err("the signed delivery was not sent (deliver: tampered)".into()),
            },
            WebhookQuery::Rejected => match &f.rejected {
                Some(d) => Ok(Selected::one(d.status)),
                None => Err("the tampered delivery was not sent (deliver: signed)".into()),
            },
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &WebhookFacts = facts_as(facts, "webhook").ok()?;
        (*self == WebhookQuery::Rejected && f.rejected.as_ref().is_some_and(|d| d.status < 300))
            .then(|| "the endpoint accepted a body that does not match its signature".into())
    }
}
