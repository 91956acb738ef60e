//! The `dns:` plan key: `NAME` or `{ name, type, nameserver }`.

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, shown};

/// `dns:` — `NAME` or `{ name, type, nameserver }`.
#[derive(Debug, Clone)]
pub struct DnsProbe {
    /// Name to resolve (template).
    pub name: String,
    /// `A` or `AAAA` (default `A`).
    pub record: String,
    /// `IP[:PORT]` of the nameserver to ask (default: the system resolver).
    pub nameserver: Option<String>,
}

/// `dns: NAME` / `dns: { name, type, nameserver }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node) -> Option<DnsProbe> {
    let (name_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, &["name", "type", "nameserver"], "a dns probe");
            let Some(h) = get(entries, "name") else {
                ctx.error(n.span, "the dns probe has no `name`", "add `name: HOST`");
                return None;
            };
            (h, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let name = ctx.template(name_node, "name")?;
    if name.trim().is_empty() || name.contains(char::is_whitespace) {
        ctx.error(
            name_node.span,
            "the dns name is not a host name",
            "invalid name",
        );
        return None;
    }
    let record = match get(entries, "type") {
        Some(t) => {
            let text = ctx.text(t, "type")?.to_ascii_uppercase();
            if text != "A" && text != "AAAA" {
                ctx.error_help(
                    t.span,
                    format!("{} is not a supported record type", shown(t)),
                    "unsupported type",
                    "use `A` or `AAAA`",
                );
                return None;
            }
            text
        }
        None => "A".to_owned(),
    };
    let nameserver = match get(entries, "nameserver") {
        Some(ns) => {
            let text = ctx.text(ns, "nameserver")?;
            if nameserver_addr(&text).is_none() {
                ctx.error_help(
                    ns.span,
                    format!("{} is not a nameserver address", shown(ns)),
                    "invalid address",
                    "write `IP` or `IP:PORT`, e.g. `127.0.0.1:5353`",
                );
                return None;
            }
            Some(text)
        }
        None => None,
    };
    Some(DnsProbe {
        name,
        record,
        nameserver,
    })
}

/// `IP` or `IP:PORT` (port 53 by default) → a socket address.
pub(super) fn nameserver_addr(text: &str) -> Option<std::net::SocketAddr> {
    if let Ok(sa) = text.parse::<std::net::SocketAddr>() {
        return Some(sa);
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
}
