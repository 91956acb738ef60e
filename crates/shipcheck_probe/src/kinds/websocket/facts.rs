//! What the `websocket` probe observed (one session) and how its queries and captures read
//! it.

use std::borrow::Cow;

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};
use shipcheck_plan::{Capture, CaptureSource, Unit};

use crate::capture::{one_json, regex_group};

/// One WebSocket session.
#[derive(Debug, Clone, Default)]
pub(crate) struct WsFacts {
    /// URL connected to (as sent; the runner redacts secrets in it).
    pub(crate) url: String,
    /// Handshake response status (101 when upgraded).
    pub(crate) status: u16,
    /// Messages received, in order: JSON when they parse as JSON, else text.
    pub(crate) messages: Vec<Value>,
    /// Messages sent.
    pub(crate) sent: usize,
    /// The server closed the session with a close frame (code 1000, 1001, or none).
    pub(crate) closed_cleanly: bool,
    /// Close code and reason sent by the server.
    pub(crate) close: Option<(u16, String)>,
    /// Why collection stopped (`closed`, `within elapsed`, `max_messages`, or an error).
    pub(crate) ended: String,
    /// Time of the session.
    pub(crate) duration_ms: f64,
}

impl Facts for WsFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }

    /// The messages as a JSON array.
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        Ok(Cow::Owned(Value::Array(self.messages.clone())))
    }

    /// A JSONPath into the array of messages, or a regex over the messages (one per line).
    fn capture(&self, c: &Capture) -> Result<Value, String> {
        match &c.source {
            CaptureSource::JsonPath(path) => one_json(
                &Value::Array(self.messages.clone()),
                path,
                "matched nothing in the messages",
            ),
            CaptureSource::Header(name) => Err(format!(
                "a WebSocket session has no `{name}` response header to capture"
            )),
            CaptureSource::Regex { pattern, group } => {
                let text: Vec<String> = self.messages.iter().map(crate::value::text).collect();
                regex_group(&text.join("\n"), pattern, *group, "the messages")
            }
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `websocket` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WsQuery {
    /// The messages received (predicates on their number).
    Messages,
    /// The server closed the session cleanly (bool).
    Closed,
}

impl Select for WsQuery {
    fn subject(&self) -> String {
        match self {
            WsQuery::Messages => "messages".into(),
            WsQuery::Closed => "closed cleanly".into(),
        }
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &WsFacts = facts_as(facts, "websocket")?;
        Ok(match self {
            WsQuery::Messages => Selected {
                values: f.messages.clone(),
                unit: Unit::Number,
            },
            WsQuery::Closed => Selected::one(f.closed_cleanly),
        })
    }
    /// How the session ended.
    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &WsFacts = facts_as(facts, "websocket").ok()?;
        Some(format!("ended: {}", f.ended))
    }
}
