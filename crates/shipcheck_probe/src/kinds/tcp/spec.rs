//! The `tcp:` plan key: `HOST:PORT`, a URL (its host and port), or `{ host, port }`.

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, shown};

use crate::kinds::net_common::{port, target_ok};

/// `tcp:` — `HOST:PORT`, a URL (its host and port), or `{ host, port }`.
#[derive(Debug, Clone)]
pub struct TcpProbe {
    /// Host template (may hold `:PORT`).
    pub host: String,
    /// Port when `host` has none.
    pub port: Option<u16>,
}

/// `tcp: HOST:PORT` / `tcp: URL` (its host and port) / `tcp: { host, port }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node) -> Option<TcpProbe> {
    let (host_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, &["host", "port"], "a tcp probe");
            let Some(h) = get(entries, "host") else {
                ctx.error(n.span, "the tcp probe has no `host`", "add `host: NAME`");
                return None;
            };
            (h, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let host = ctx.template(host_node, "host")?;
    let port = port(ctx, entries)?;
    let has_port = host.contains("{{")
        || host.rsplit_once(':').is_some_and(|(h, p)| {
            (!h.contains(':') || h.ends_with(']')) && p.parse::<u16>().is_ok_and(|p| p > 0)
        });
    let is_url = host.contains("://");
    if !target_ok(&host) || (!is_url && !has_port && port.is_none()) {
        ctx.error_help(
            host_node.span,
            format!("{} is not a TCP target", shown(host_node)),
            "needs a host and a port",
            "write `HOST:PORT`, or `host:` and `port:`",
        );
        return None;
    }
    Some(TcpProbe { host, port })
}
