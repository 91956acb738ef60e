//! What a probe observed in one attempt.

use shipcheck_report::{Evidence, Measurement};

/// Typed facts from one attempt; assertions and captures are evaluated on these.
#[derive(Debug, Clone)]
pub enum Observation {
    /// A TLS handshake and the certificates sent.
    Tls(crate::tls_facts::TlsFacts),
    /// A TCP connection attempt.
    Tcp(crate::net_facts::TcpFacts),
    /// A DNS lookup.
    Dns(crate::net_facts::DnsFacts),
    /// A WebSocket session.
    WebSocket(crate::net_facts::WsFacts),
    /// A signed and a tampered webhook delivery.
    Webhook(crate::net_facts::WebhookFacts),
    /// A fetched metrics exposition or OpenAPI document.
    Document(crate::doc_facts::DocFacts),
    /// Two CORS preflights.
    Cors(crate::hygiene::CorsFacts),
    /// Lint findings over deployment files.
    Lint(LintFacts),
}

/// What the linter found.
#[derive(Debug, Clone, Default)]
pub struct LintFacts {
    /// Every finding, paths relative to the plan's directory.
    pub findings: Vec<shipcheck_report::Finding>,
    /// Files of a known kind that were linted.
    pub files_scanned: usize,
}

impl shipcheck_plan::kind::Facts for Observation {
    fn duration_ms(&self) -> f64 {
        Observation::duration_ms(self)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Observation {
    /// Total duration of the attempt in milliseconds, as the `duration` query sees it.
    pub fn duration_ms(&self) -> f64 {
        match self {
            Observation::Tls(t) => t.duration_ms,
            Observation::Tcp(t) => t.duration_ms,
            Observation::Dns(d) => d.duration_ms,
            Observation::WebSocket(w) => w.duration_ms,
            Observation::Webhook(w) => w.duration_ms,
            Observation::Document(d) => d.duration_ms,
            Observation::Cors(c) => c.duration_ms,
            Observation::Lint(_) => 0.0,
        }
    }
}

/// What a legacy probe (not yet in its own kind folder) returns; lifted into
/// [`shipcheck_plan::kind::Observed`] by [`crate::observe`].
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    /// The facts.
    pub(crate) observation: Observation,
    /// Transcripts (already stripped of credential headers; the runner redacts the rest).
    pub(crate) evidence: Vec<Evidence>,
    /// Timings and sizes.
    pub(crate) measurements: Vec<Measurement>,
    /// Values sent as credentials (Authorization, Cookie) that must be redacted.
    pub(crate) sent_secrets: Vec<String>,
}

pub use shipcheck_plan::kind::ProbeError;
