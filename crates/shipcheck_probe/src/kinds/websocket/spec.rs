//! The `websocket:` plan key: `URL` or `{ url, headers, query, send, within, … }`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, pairs, positive_duration, resolve, shown};

const KEYS: &[&str] = &[
    "url",
    "headers",
    "query",
    "send",
    "within",
    "max_messages",
    "max_message",
    "insecure",
    "ca_file",
];

/// Default and largest `max_messages`.
const DEFAULT_MAX_MESSAGES: u64 = 100;
const MAX_MAX_MESSAGES: u64 = 10_000;
/// Default and largest `max_message`.
const DEFAULT_MAX_MESSAGE: u64 = 64 * 1024;
const MAX_MAX_MESSAGE: u64 = 16 * 1024 * 1024;

/// `websocket:` — `URL` or `{ url, headers, query, send, within, … }`.
#[derive(Debug, Clone)]
pub struct WsProbe {
    /// `ws://`, `wss://` (or `http://`, `https://`) URL template.
    pub url: String,
    /// Handshake headers (name lower-cased, value template).
    pub headers: Vec<(String, String)>,
    /// Query parameters appended to the URL (value templates).
    pub query: Vec<(String, String)>,
    /// Messages sent after connecting, in order.
    pub send: Vec<WsMessage>,
    /// Collect messages for at most this long (default: the check's timeout, minus a margin).
    pub within: Option<Duration>,
    /// Stop after this many messages (default 100).
    pub max_messages: u32,
    /// Largest message accepted (default 64 KiB).
    pub max_message: u64,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
}

/// One message a `websocket` probe sends.
#[derive(Debug, Clone)]
pub enum WsMessage {
    /// Sent as a text frame (template).
    Text(String),
    /// Sent as JSON text (strings inside may hold templates).
    Json(serde_json::Value),
}

/// `websocket: URL` / `websocket: { url, headers, query, send, within, … }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<WsProbe> {
    let (url_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, "a websocket probe");
            let Some(u) = get(entries, "url") else {
                ctx.error(
                    n.span,
                    "the websocket probe has no `url`",
                    "add `url: ws://…`",
                );
                return None;
            };
            (u, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let url = ctx.template(url_node, "url")?;
    let lower = url.to_ascii_lowercase();
    if !url.contains("{{")
        && !["ws://", "wss://", "http://", "https://"]
            .iter()
            .any(|s| lower.starts_with(s))
    {
        ctx.error(
            url_node.span,
            "the URL must start with `ws://`, `wss://`, `http://` or `https://`",
            format!("found {}", shown(url_node)),
        );
        return None;
    }
    let headers = get(entries, "headers")
        .map(|h| pairs(ctx, h, "headers", true))
        .unwrap_or_default();
    let query = get(entries, "query")
        .map(|q| pairs(ctx, q, "query", false))
        .unwrap_or_default();
    let mut send = Vec::new();
    if let Some(s) = get(entries, "send") {
        let items: &[Node] = match &s.kind {
            Kind::Seq(items) => items,
            _ => std::slice::from_ref(s),
        };
        for item in items {
            match &item.kind {
                Kind::Str(_) => send.push(WsMessage::Text(ctx.template(item, "send")?)),
                _ => {
                    let value = ctx.json(item)?;
                    ctx.template_sites(item);
                    send.push(WsMessage::Json(value));
                }
            }
        }
    }
    let within = match get(entries, "within") {
        Some(w) => Some(positive_duration(ctx, w, "within")?),
        None => None,
    };
    let max_messages = match get(entries, "max_messages") {
        Some(m) => match ctx.uint(m, "max_messages", MAX_MAX_MESSAGES)? {
            0 => {
                ctx.error(m.span, "`max_messages` must be at least 1", "zero");
                return None;
            }
            x => x as u32,
        },
        None => DEFAULT_MAX_MESSAGES as u32,
    };
    let max_message = match get(entries, "max_message") {
        Some(m) => ctx.bounded_size(m, "max_message", MAX_MAX_MESSAGE, "16MiB")?,
        None => DEFAULT_MAX_MESSAGE,
    };
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure")?,
        None => false,
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    Some(WsProbe {
        url,
        headers,
        query,
        send,
        within,
        max_messages,
        max_message,
        insecure,
        ca_file,
    })
}
