//! The `tls:` plan key: `HOST[:PORT]`, `https://HOST[:PORT]` or `{ host, port, sni, ca_file,
//! alpn }`, and the protocol versions its expectations name.

use std::path::{Path, PathBuf};

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve, shown};

use crate::kinds::net_common::{port, target_ok};

/// Protocol versions the `tls` probe can ask about, with their numbers.
pub(super) const TLS_VERSIONS: &[(&str, f64)] = &[
    ("TLSv1.0", 1.0),
    ("TLSv1.1", 1.1),
    ("TLSv1.2", 1.2),
    ("TLSv1.3", 1.3),
];

const TLS_KEYS: &[&str] = &["host", "port", "sni", "ca_file", "alpn"];

/// `tls:` — `HOST[:PORT]`, `https://HOST[:PORT]`, or `{ host, port, sni, ca_file, alpn }`.
#[derive(Debug, Clone)]
pub struct TlsProbe {
    /// Host template (or a URL template, whose host and port are used).
    pub host: String,
    /// Port (default 443; a port in `host` wins).
    pub port: Option<u16>,
    /// Server name sent as SNI and matched against the certificate (default: the host).
    pub sni: Option<String>,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
    /// ALPN protocols offered (default `h2`, `http/1.1`).
    pub alpn: Vec<String>,
}

/// A version as written (`TLSv1.2`, `1.2`, `tls1.2`) → its canonical name and number.
pub(super) fn version(text: &str) -> Option<(&'static str, f64)> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.trim_start_matches("tlsv").trim_start_matches("tls");
    let t = if t == "1" { "1.0" } else { t };
    TLS_VERSIONS
        .iter()
        .find(|(name, _)| name.to_ascii_lowercase().trim_start_matches("tlsv") == t)
        .copied()
}

/// `tls: HOST[:PORT]` / `tls: https://HOST[:PORT]` / `tls: { host, port, sni, ca_file, alpn }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<TlsProbe> {
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
    let port = port(ctx, entries)?;
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
