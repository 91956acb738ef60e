//! The `redis:` plan key: `redis: URL` or a mapping with `url` and credentials.

use std::path::{Path, PathBuf};

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve};

use super::facts::RedisQuery;
use crate::kinds::db_common::opt_template;

/// `redis:` — a Redis server, `redis://` or `rediss://` (TLS).
#[derive(Debug, Clone)]
pub struct RedisProbe {
    /// URL template (`redis://[user:pass@]host:port/db`).
    pub url: String,
    /// ACL user name (overrides the URL's).
    pub username: Option<String>,
    /// Password for AUTH (overrides the URL's; redacted everywhere).
    pub password: Option<String>,
    /// Extra trusted CA (PEM) for `rediss://`.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// What the expectations need fetched (keys); filled by the kind's `prepare`.
    pub fetch: Vec<RedisQuery>,
}

/// `redis: URL` or `redis: { url, username, password, ca_file, insecure }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<RedisProbe> {
    let (url_node, entries): (&Node, &[(Node, Node)]) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(
                entries,
                &["url", "username", "password", "ca_file", "insecure"],
                "a redis probe",
            );
            let Some(u) = get(entries, "url") else {
                ctx.error(
                    n.span,
                    "the redis probe has no `url`",
                    "add `url: redis://…`",
                );
                return None;
            };
            (u, entries)
        }
        _ => (n, &[]),
    };
    let url = ctx.template(url_node, "url")?;
    let lower = url.to_ascii_lowercase();
    if !url.starts_with("{{") && !lower.starts_with("redis://") && !lower.starts_with("rediss://") {
        ctx.error(
            url_node.span,
            "a redis URL must start with `redis://` or `rediss://`",
            "not a redis URL",
        );
        return None;
    }
    let username = opt_template(ctx, entries, "username")?;
    let password = opt_template(ctx, entries, "password")?;
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure")?,
        None => false,
    };
    Some(RedisProbe {
        url,
        username,
        password,
        ca_file,
        insecure,
        fetch: Vec::new(),
    })
}
