//! The `http:` plan key: short form `{ get: URL }` or long form `{ method, url, … }`.

use std::path::{Path, PathBuf};

use shipcheck_plan::Body;
use shipcheck_plan::syntax::{Ctx, Kind, Node, entry, get, pairs, resolve, shown};

/// Short-form method keys.
const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// Every key of an `http:` mapping.
const HTTP_KEYS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "method",
    "url",
    "headers",
    "query",
    "json",
    "form",
    "body",
    "follow_redirects",
    "insecure",
    "ca_file",
    "max_body",
];

/// Body keys (at most one).
const BODY_KEYS: &[&str] = &["json", "form", "body"];

/// Default `max_body`: 1 MiB.
const DEFAULT_MAX_BODY: u64 = 1024 * 1024;
/// Largest `max_body`: 1 GiB.
const MAX_MAX_BODY: u64 = 1024 * 1024 * 1024;
/// Largest `follow_redirects`.
const MAX_REDIRECTS: u64 = 50;

/// `http:` — short form `{ get: URL }` or long form `{ method, url, … }`.
#[derive(Debug, Clone)]
pub struct HttpProbe {
    /// Upper-case method.
    pub method: String,
    /// URL template.
    pub url: String,
    /// Header name → value template, in file order.
    pub headers: Vec<(String, String)>,
    /// Query parameters appended to the URL, in file order.
    pub query: Vec<(String, String)>,
    /// Request body.
    pub body: Option<Body>,
    /// Follow at most this many redirects (default 0: the chain is recorded, not followed).
    pub follow_redirects: u32,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
    /// Read at most this many bytes of a response body (default 1 MiB).
    pub max_body: u64,
}

/// `http:` — short form `{ get: URL }` or long form `{ method, url }`, plus options.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<HttpProbe> {
    let entries = ctx.map(n, "http")?;
    ctx.keys(entries, HTTP_KEYS, "an http probe");
    let method_entries: Vec<_> = entries
        .iter()
        .filter(|(k, _)| matches!(&k.kind, Kind::Str(s) if METHODS.contains(&s.as_str())))
        .collect();
    for (k, _) in method_entries.iter().skip(1) {
        ctx.error_help(
            k.span,
            "an http probe sends one request",
            "second method",
            "use one of `get`, `post`, `put`, `patch`, `delete`, `head`, `options`",
        );
    }
    let (method, url_node) = match method_entries.first() {
        Some((k, v)) => {
            for key in ["method", "url"] {
                if let Some((other, _)) = entry(entries, key) {
                    ctx.error(
                        other.span,
                        format!(
                            "`{key}` cannot be combined with the short form `{}:`",
                            k.scalar_text().unwrap_or_default()
                        ),
                        "conflicts with the short form",
                    );
                }
            }
            (k.scalar_text().unwrap_or_default().to_ascii_uppercase(), v)
        }
        None => {
            let Some(url) = get(entries, "url") else {
                ctx.error_help(
                    n.span,
                    "the http probe has no URL",
                    "no `get:` or `url:`",
                    "write `get: URL` (or `post:` …), or `method:` and `url:`",
                );
                return None;
            };
            let method = match get(entries, "method") {
                Some(m) => {
                    let method = ctx.text(m, "method")?.to_ascii_uppercase();
                    if method.is_empty() || !method.chars().all(|c| c.is_ascii_alphabetic()) {
                        ctx.error(
                            m.span,
                            format!("{} is not an HTTP method", shown(m)),
                            "invalid method",
                        );
                        return None;
                    }
                    method
                }
                None => "GET".to_owned(),
            };
            (method, url)
        }
    };
    let url = ctx.template(url_node, "url");
    if let Some(u) = &url {
        let lower = u.to_ascii_lowercase();
        if !u.contains("{{") && !lower.starts_with("http://") && !lower.starts_with("https://") {
            ctx.error(
                url_node.span,
                "the URL must start with `http://` or `https://`",
                format!("found {}", shown(url_node)),
            );
        }
    }

    let headers = get(entries, "headers")
        .map(|h| pairs(ctx, h, "headers", true))
        .unwrap_or_default();
    let query = get(entries, "query")
        .map(|q| pairs(ctx, q, "query", false))
        .unwrap_or_default();

    let bodies: Vec<_> = entries
        .iter()
        .filter(|(k, _)| matches!(&k.kind, Kind::Str(s) if BODY_KEYS.contains(&s.as_str())))
        .collect();
    for (k, _) in bodies.iter().skip(1) {
        ctx.error(
            k.span,
            "an http probe has at most one body",
            "second body: use one of `json`, `form`, `body`",
        );
    }
    let body = match bodies.first() {
        None => None,
        Some((k, v)) => match k.scalar_text().as_deref() {
            Some("json") => {
                let value = ctx.json(v);
                ctx.template_sites(v);
                value.map(Body::Json)
            }
            Some("form") => Some(Body::Form(pairs(ctx, v, "form", false))),
            _ => ctx.template(v, "body").map(Body::Raw),
        },
    };

    let follow_redirects = match get(entries, "follow_redirects") {
        Some(v) => ctx
            .uint(v, "follow_redirects", MAX_REDIRECTS)
            .map(|x| x as u32),
        None => Some(0),
    };
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure"),
        None => Some(false),
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(Some(resolve(base_dir, &ctx.text(v, "ca_file")?))),
        None => Some(None),
    };
    let max_body = match get(entries, "max_body") {
        Some(v) => ctx.bounded_size(v, "max_body", MAX_MAX_BODY, "1GiB"),
        None => Some(DEFAULT_MAX_BODY),
    };
    Some(HttpProbe {
        method,
        url: url?,
        headers,
        query,
        body,
        follow_redirects: follow_redirects?,
        insecure: insecure?,
        ca_file: ca_file?,
        max_body: max_body?,
    })
}
