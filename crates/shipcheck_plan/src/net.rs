//! Network probe keys (`tls:`, `tcp:`, `dns:`) and their expectations (`valid`, `version`,
//! `min_version`, `cipher`, `alpn`, `issuer`, `expires_in`, `accepts`; `open`; `resolves`,
//! `includes`, `excludes`).

use std::path::Path;

use serde_json::Value;

use crate::ast::{Assertion, DnsProbe, Predicate, Quantity, Query, TcpProbe, TlsProbe, Unit};
use crate::ctx::{Ctx, get, shown};
use crate::expect::{Target, predicates};
use crate::probe::resolve;
use crate::yaml::{Kind, Node};

/// `expect:` keys of the `tls` probe handled here.
pub(crate) const EXPECT_TLS: &[&str] = &[
    "valid",
    "version",
    "min_version",
    "cipher",
    "alpn",
    "issuer",
    "expires_in",
    "accepts",
    "open",
    "resolves",
    "includes",
    "excludes",
];

/// Protocol versions the `tls` probe can ask about, with their numbers.
pub const TLS_VERSIONS: &[(&str, f64)] = &[
    ("TLSv1.0", 1.0),
    ("TLSv1.1", 1.1),
    ("TLSv1.2", 1.2),
    ("TLSv1.3", 1.3),
];

const TLS_KEYS: &[&str] = &["host", "port", "sni", "ca_file", "alpn"];

/// A version as written (`TLSv1.2`, `1.2`, `tls1.2`) → its canonical name and number.
fn version(text: &str) -> Option<(&'static str, f64)> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.trim_start_matches("tlsv").trim_start_matches("tls");
    let t = if t == "1" { "1.0" } else { t };
    TLS_VERSIONS
        .iter()
        .find(|(name, _)| name.to_ascii_lowercase().trim_start_matches("tlsv") == t)
        .copied()
}

/// Checks a `HOST[:PORT]` or `https://HOST[:PORT]` target written without templates.
fn target_ok(text: &str) -> bool {
    if text.contains("{{") {
        return true;
    }
    if text.contains("://") {
        return url::Url::parse(text).is_ok_and(|u| u.host_str().is_some());
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, Some(p)),
        _ => (text, None),
    };
    !host.trim().is_empty()
        && !host.contains(char::is_whitespace)
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0))
}

/// `tls: HOST[:PORT]` / `tls: https://HOST[:PORT]` / `tls: { host, port, sni, ca_file, alpn }`.
pub(crate) fn tls(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<TlsProbe> {
    let (host_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, TLS_KEYS, "a tls probe");
            let Some(h) = get(entries, "host") else {
                ctx.error(n.span, "the tls probe has no `host`", "add `host: NAME`");
                return None;
            };
            (h, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let host = ctx.template(host_node, "host")?;
    if !target_ok(&host) {
        ctx.error_help(
            host_node.span,
            format!("{} is not a TLS target", shown(host_node)),
            "invalid target",
            "write `HOST`, `HOST:PORT` or `https://HOST:PORT`",
        );
        return None;
    }
    let port = match get(entries, "port") {
        Some(p) => match ctx.uint(p, "port", 65535)? {
            0 => {
                ctx.error(p.span, "`port` must be from 1 to 65535", "zero");
                return None;
            }
            x => Some(x as u16),
        },
        None => None,
    };
    let sni = match get(entries, "sni") {
        Some(s) => Some(ctx.template(s, "sni")?),
        None => None,
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    let alpn = match get(entries, "alpn") {
        Some(a) => {
            let items = ctx.seq(a, "alpn")?;
            let names: Vec<String> = items.iter().filter_map(|i| ctx.text(i, "alpn")).collect();
            if names.len() != items.len() {
                return None;
            }
            names
        }
        None => vec!["h2".to_owned(), "http/1.1".to_owned()],
    };
    Some(TlsProbe {
        host,
        port,
        sni,
        ca_file,
        alpn,
    })
}

/// `tcp: HOST:PORT` / `tcp: URL` (its host and port) / `tcp: { host, port }`.
pub(crate) fn tcp(ctx: &mut Ctx<'_>, n: &Node) -> Option<TcpProbe> {
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
    let port = match get(entries, "port") {
        Some(p) => match ctx.uint(p, "port", 65535)? {
            0 => {
                ctx.error(p.span, "`port` must be from 1 to 65535", "zero");
                return None;
            }
            x => Some(x as u16),
        },
        None => None,
    };
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

/// `dns: NAME` / `dns: { name, type, nameserver }`.
pub(crate) fn dns(ctx: &mut Ctx<'_>, n: &Node) -> Option<DnsProbe> {
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
pub fn nameserver_addr(text: &str) -> Option<std::net::SocketAddr> {
    if let Ok(sa) = text.parse::<std::net::SocketAddr>() {
        return Some(sa);
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| std::net::SocketAddr::new(ip, 53))
}

/// One `tls` expectation key.
pub(crate) fn expect(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    match key {
        "valid" => {
            if let Some(b) = ctx.bool(v, "valid") {
                out.push(Assertion {
                    query: Query::TlsValid,
                    predicate: Predicate::Equals(Value::Bool(b)),
                    pos: v.pos(),
                });
            }
        }
        "version" => predicates(ctx, v, Target::Text("version"), &Query::TlsVersion, out),
        "cipher" => predicates(ctx, v, Target::Text("cipher"), &Query::TlsCipher, out),
        "alpn" => predicates(ctx, v, Target::Text("alpn"), &Query::TlsAlpn, out),
        "issuer" => predicates(ctx, v, Target::Text("issuer"), &Query::TlsIssuer, out),
        "expires_in" => predicates(ctx, v, Target::Duration, &Query::TlsExpiresIn, out),
        "open" | "resolves" => {
            if let Some(b) = ctx.bool(v, key) {
                out.push(Assertion {
                    query: if key == "open" {
                        Query::TcpOpen
                    } else {
                        Query::DnsResolves
                    },
                    predicate: Predicate::Equals(Value::Bool(b)),
                    pos: v.pos(),
                });
            }
        }
        "includes" | "excludes" => {
            for item in ctx.seq(v, key).unwrap_or_default() {
                let Some(text) = ctx.text(item, "address") else {
                    continue;
                };
                match text.parse::<std::net::IpAddr>() {
                    Ok(ip) => out.push(Assertion {
                        query: Query::DnsAddress(ip.to_string()),
                        predicate: Predicate::Exists(key == "includes"),
                        pos: item.pos(),
                    }),
                    Err(_) => ctx.error(
                        item.span,
                        format!("{} is not an IP address", shown(item)),
                        "invalid address",
                    ),
                }
            }
        }
        "min_version" => {
            let Some(text) = ctx.text(v, "min_version") else {
                return;
            };
            match version(&text) {
                Some((_, number)) => out.push(Assertion {
                    query: Query::TlsVersionNumber,
                    predicate: Predicate::AtLeast(Quantity {
                        value: number,
                        unit: Unit::Number,
                    }),
                    pos: v.pos(),
                }),
                None => version_error(ctx, v),
            }
        }
        _ => {
            for (k, b) in ctx.map(v, "accepts").unwrap_or_default() {
                let Some(text) = ctx.text(k, "version") else {
                    continue;
                };
                let Some((name, _)) = version(&text) else {
                    version_error(ctx, k);
                    continue;
                };
                if let Some(b) = ctx.bool(b, "accepts") {
                    out.push(Assertion {
                        query: Query::TlsAccepts(name.to_owned()),
                        predicate: Predicate::Equals(Value::Bool(b)),
                        pos: k.pos(),
                    });
                }
            }
        }
    }
}

/// A `tls` check asserts `valid: true` unless it says otherwise (an expired, not yet valid,
/// wrong-host or self-signed certificate fails the check); likewise `tcp` asserts `open:
/// true` and `dns` asserts `resolves: true`.
pub(crate) fn implicit_expectations(
    probe: Option<&str>,
    expect: &mut Vec<Assertion>,
    pos: crate::ast::Pos,
) {
    let implied = match probe {
        Some("tls") => Query::TlsValid,
        Some("tcp") => Query::TcpOpen,
        Some("dns") => Query::DnsResolves,
        _ => return,
    };
    if !expect.iter().any(|a| a.query == implied) {
        expect.insert(
            0,
            Assertion {
                query: implied,
                predicate: Predicate::Equals(Value::Bool(true)),
                pos,
            },
        );
    }
}

fn version_error(ctx: &mut Ctx<'_>, n: &Node) {
    ctx.error_help(
        n.span,
        format!("{} is not a TLS version", shown(n)),
        "unknown version",
        "write one of TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_in_several_spellings() {
        assert_eq!(version("TLSv1.2").map(|v| v.0), Some("TLSv1.2"));
        assert_eq!(version("1.3").map(|v| v.0), Some("TLSv1.3"));
        assert_eq!(version("tls1").map(|v| v.0), Some("TLSv1.0"));
        assert_eq!(version("TLSv1.0").map(|v| v.1), Some(1.0));
        assert!(version("SSLv3").is_none());
    }

    #[test]
    fn targets_are_host_port_or_url() {
        assert!(target_ok("example.com"));
        assert!(target_ok("127.0.0.1:8443"));
        assert!(target_ok("https://localhost:8443"));
        assert!(target_ok("{{ api_tls }}"));
        assert!(!target_ok("example.com:0"));
        assert!(!target_ok("example.com:http"));
        assert!(!target_ok("two words"));
    }
}
