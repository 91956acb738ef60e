//! What the `tcp` probe observed (one connection attempt) and how its query reads it.

use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// One TCP connection attempt.
#[derive(Debug, Clone, Default)]
pub(crate) struct TcpFacts {
    /// `host:port` tried.
    pub(crate) target: String,
    /// The address connected to (or the last one tried).
    pub(crate) address: Option<String>,
    /// The connection was accepted.
    pub(crate) open: bool,
    /// Why not (`connection refused`, `no answer within …`).
    pub(crate) reason: Option<String>,
    /// Time of the attempt.
    pub(crate) duration_ms: f64,
}

impl Facts for TcpFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `tcp` expectation looks at: whether the port accepted the connection.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PortOpen;

impl Select for PortOpen {
    fn subject(&self) -> String {
        "port open".into()
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &TcpFacts = facts_as(facts, "tcp")?;
        Ok(Selected::one(f.open))
    }
    /// Why the port is not open.
    fn note(&self, facts: &dyn Facts) -> Option<String> {
        facts_as::<TcpFacts>(facts, "tcp").ok()?.reason.clone()
    }
}
