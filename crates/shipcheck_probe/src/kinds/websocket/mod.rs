//! The `websocket` probe kind: a handshake, the plan's messages sent, then messages
//! collected until the server closes, `within` elapses or `max_messages` arrive.

mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, Predicate};

use super::net_common::{flag, query};
use facts::WsQuery;

pub use spec::{WsMessage, WsProbe};

/// The `websocket` kind's registry entry.
pub(crate) static KIND: WsKind = WsKind;

/// The `websocket` kind.
pub(crate) struct WsKind;

impl ProbeKind for WsKind {
    fn name(&self) -> &'static str {
        "websocket"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn hints(&self) -> &'static [Hint] {
        HINTS
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["json", "duration", "messages", "closed"]
    }
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        node: &Node,
        _base_dir: &Path,
        out: &mut Vec<Assertion>,
    ) {
        match key {
            "closed" => flag(cx, node, "closed", query(WsQuery::Closed), out),
            _ => {
                // `messages: 2` or `messages: { at_least: 2 }`: predicates on the number received.
                let mut inner = Vec::new();
                predicates(
                    cx,
                    node,
                    Target::Number,
                    &query(WsQuery::Messages),
                    &mut inner,
                );
                out.extend(inner.into_iter().map(|a| Assertion {
                    predicate: Predicate::Count(Box::new(a.predicate)),
                    ..a
                }));
            }
        }
    }
    fn captures(&self) -> bool {
        true
    }
}

probe_impl!(WsProbe, "websocket", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Opens a WebSocket session, sends the `send` messages in order, then collects messages until the server closes, `within` elapses or `max_messages` arrive; a server that sends nothing is not an error, a refused upgrade is (class `protocol`).",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL, required",
            doc: "`ws://` or `wss://` (`http://`, `https://` are used as `ws://`, `wss://`); templates allowed; the short form `websocket: URL` is the same",
        },
        KeyDoc {
            name: "query",
            value: "mapping",
            doc: "query parameters, URL-encoded and appended (e.g. a captured token)",
        },
        KeyDoc {
            name: "headers",
            value: "mapping",
            doc: "handshake headers; `Authorization` and `Cookie` values are redacted",
        },
        KeyDoc {
            name: "send",
            value: "list (or one value)",
            doc: "strings are sent as text, anything else as JSON; templates allowed",
        },
        KeyDoc {
            name: "within",
            value: "duration",
            doc: "how long to collect messages (default: the check's timeout)",
        },
        KeyDoc {
            name: "max_messages",
            value: "integer",
            doc: "stop after this many (default 100)",
        },
        KeyDoc {
            name: "max_message",
            value: "size",
            doc: "largest message accepted (default 64KiB)",
        },
        KeyDoc {
            name: "insecure, ca_file",
            value: "boolean, path",
            doc: "as for `http`",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "messages",
            value: "number or bounds",
            doc: "the number of messages received (`{ at_least: 2 }`)",
        },
        KeyDoc {
            name: "closed",
            value: "boolean",
            doc: "the server sent a close frame with code 1000, 1001 or none",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "JSONPath into the array of messages (a text message that is not JSON is a string)",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the session",
        },
    ],
    implied: "nothing beyond what is written; captures take a JSONPath into the array of messages (or a regex over the messages)",
    example: "- id: command-stream\n  needs: [submit-command]\n  websocket:\n    url: \"{{ api }}/ws/responses/{{ command_id }}\"\n    query: { token: \"{{ token }}\" }\n    within: 5s\n  expect:\n    messages: { at_least: 2 }\n    json: { \"$[0].state\": accepted }\n    closed: true\n",
};

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "messages",
        hint: "the server did not send what was expected in time: a proxy without WebSocket upgrade support, or an idle timeout in between",
    },
];

/// For `crate::fuzzing`: a session's collection and evidence over an upgraded stream whose
/// server side sends `peer` (the largest message and frame are `max_message` bytes).
pub(crate) async fn fuzz_session<T>(io: T, max_messages: u32, max_message: usize) -> String
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use shipcheck_plan::kind::Select as _;
    use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(max_message);
    config.max_frame_size = Some(max_message);
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(io, Role::Client, Some(config))
        .await;
    let mut facts = facts::WsFacts::default();
    let within = std::time::Duration::from_secs(1);
    facts.ended = run::collect(&mut ws, &mut facts, max_messages, within).await;
    let messages = WsQuery::Messages.select(&facts).map(|s| s.values.len());
    let closed = WsQuery::Closed.select(&facts).map(|s| s.values.len());
    format!(
        "{}\n{messages:?} {closed:?}",
        run::evidence(&facts, 64 * 1024).text
    )
}
