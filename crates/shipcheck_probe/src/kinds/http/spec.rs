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
    "compressed",
    "basic_auth",
    "cert",
    "key",
    "multipart",
    "samples",
];

/// Body keys (at most one).
const BODY_KEYS: &[&str] = &["json", "form", "body", "multipart"];

/// Most requests one sampled check sends.
pub(super) const MAX_SAMPLES: u64 = 1000;

/// Default `max_body`: 1 MiB.
const DEFAULT_MAX_BODY: u64 = 1024 * 1024;
/// Largest `max_body`: 1 GiB.
const MAX_MAX_BODY: u64 = 1024 * 1024 * 1024;
/// Largest `follow_redirects`: the client's own cap, so a plan never asks for more than it
/// would follow.
const MAX_REDIRECTS: u64 = shipcheck_http::MAX_REDIRECTS as u64;

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
    /// Send `Accept-Encoding: gzip, deflate, br` (curl's `--compressed`).
    pub compressed: bool,
    /// `basic_auth: { user, password }` (templates).
    pub basic_auth: Option<(String, String)>,
    /// Client certificate and key (PEM) for mutual TLS, resolved against the plan's directory.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// A `multipart/form-data` body, in file order.
    pub multipart: Vec<(String, Part)>,
    /// Send the request this many times and report p50/p95/max (default 1).
    pub samples: u32,
    /// Set when an `error:` expectation is written: a request that gets no response is then
    /// an observation for it to judge, not an error of the check.
    pub expects_error: bool,
}

/// One field of a `multipart:` body.
#[derive(Debug, Clone)]
pub enum Part {
    /// A text field (template).
    Text(String),
    /// A file, read at run time, with its content type.
    File {
        /// The file, resolved against the plan's directory.
        path: PathBuf,
        /// Its content type (default `application/octet-stream`).
        content_type: String,
    },
}

/// `http:` — short form `{ get: URL }` or long form `{ method, url }`, plus options.
pub(crate) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<HttpProbe> {
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
            "second body: use one of `json`, `form`, `body`, `multipart`",
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
            Some("multipart") => None,
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
    let compressed = match get(entries, "compressed") {
        Some(v) => ctx.bool(v, "compressed"),
        None => Some(false),
    };
    let basic_auth = match get(entries, "basic_auth") {
        Some(v) => basic_auth(ctx, v),
        None => Some(None),
    };
    let identity = identity(ctx, entries, base_dir);
    let multipart = match get(entries, "multipart") {
        Some(v) => multipart(ctx, v, base_dir),
        None => Some(Vec::new()),
    };
    let samples = match get(entries, "samples") {
        Some(v) => match ctx.uint(v, "samples", MAX_SAMPLES) {
            Some(0) => {
                ctx.error(v.span, "`samples` must be at least 1", "zero samples");
                None
            }
            other => other.map(|x| x as u32),
        },
        None => Some(1),
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
        compressed: compressed?,
        basic_auth: basic_auth?,
        identity: identity?,
        multipart: multipart?,
        samples: samples?,
        expects_error: false,
    })
}

/// `basic_auth: { user, password }`.
fn basic_auth(ctx: &mut Ctx<'_>, v: &Node) -> Option<Option<(String, String)>> {
    let entries = ctx.map(v, "basic_auth")?;
    ctx.keys(entries, &["user", "password"], "basic_auth");
    let field = |ctx: &mut Ctx<'_>, key: &str| match get(entries, key) {
        Some(n) => ctx.template(n, key),
        None => {
            ctx.error_help(
                v.span,
                format!("`basic_auth` has no `{key}`"),
                format!("no `{key}:`"),
                "write `basic_auth: { user: NAME, password: \"{{ secret }}\" }`",
            );
            None
        }
    };
    let user = field(ctx, "user");
    let password = field(ctx, "password");
    if let (Some(u), Some(n)) = (&user, get(entries, "user"))
        && u.contains(':')
    {
        ctx.error(
            n.span,
            "a Basic user name cannot contain `:`",
            "contains `:`",
        );
        return None;
    }
    Some(Some((user?, password?)))
}

/// `cert:` and `key:` (both or neither).
fn identity(
    ctx: &mut Ctx<'_>,
    entries: &[(Node, Node)],
    base_dir: &Path,
) -> Option<Option<(PathBuf, PathBuf)>> {
    match (get(entries, "cert"), get(entries, "key")) {
        (None, None) => Some(None),
        (Some(c), Some(k)) => {
            let cert = ctx.text(c, "cert");
            let key = ctx.text(k, "key");
            Some(Some((resolve(base_dir, &cert?), resolve(base_dir, &key?))))
        }
        (Some(one), None) | (None, Some(one)) => {
            ctx.error_help(
                one.span,
                "a client certificate needs both `cert` and `key`",
                "only one of `cert`, `key`",
                "write `cert: client.pem` and `key: client-key.pem` (PEM files)",
            );
            None
        }
    }
}

/// `multipart: { field: value | { file, content_type } }`.
fn multipart(ctx: &mut Ctx<'_>, v: &Node, base_dir: &Path) -> Option<Vec<(String, Part)>> {
    let entries = ctx.map(v, "multipart")?;
    let mut out = Vec::with_capacity(entries.len());
    let mut ok = true;
    for (k, field) in entries {
        let Some(name) = ctx.text(k, "multipart field name") else {
            ok = false;
            continue;
        };
        let part = match &field.kind {
            Kind::Map(spec) => {
                ctx.keys(spec, &["file", "content_type"], "a multipart file");
                let Some(file) = get(spec, "file") else {
                    ctx.error_help(
                        field.span,
                        "a multipart file field needs `file`",
                        "no `file:`",
                        "write `{ file: report.pdf, content_type: application/pdf }`",
                    );
                    ok = false;
                    continue;
                };
                let content_type = match get(spec, "content_type") {
                    Some(c) => ctx.text(c, "content_type"),
                    None => Some("application/octet-stream".to_owned()),
                };
                match (ctx.text(file, "file"), content_type) {
                    (Some(f), Some(content_type)) => Part::File {
                        path: resolve(base_dir, &f),
                        content_type,
                    },
                    _ => {
                        ok = false;
                        continue;
                    }
                }
            }
            _ => match ctx.template(field, "multipart field") {
                Some(t) => Part::Text(t),
                None => {
                    ok = false;
                    continue;
                }
            },
        };
        out.push((name, part));
    }
    ok.then_some(out)
}
