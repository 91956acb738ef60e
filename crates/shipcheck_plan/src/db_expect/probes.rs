//! The data-layer probe keys: `postgres:` (URL or fields) and `redis:`.

use std::path::Path;

use crate::ctx::{Ctx, get, shown};
use crate::db_ast::{PgTarget, PostgresProbe, RedisProbe};
use crate::probe::resolve;
use crate::yaml::{Kind, Node};

/// Keys of a `postgres:` mapping.
const PG_KEYS: &[&str] = &[
    "url",
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "ca_file",
    "query",
    "allow_writes",
];

/// `sslmode` values.
const SSLMODES: &[&str] = &["disable", "prefer", "require", "verify-ca", "verify-full"];

/// `postgres: URL` or `postgres: { url | host…, query, allow_writes, ca_file }`.
pub(crate) fn postgres(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<PostgresProbe> {
    let entries: &[(Node, Node)] = match &n.kind {
        Kind::Map(entries) => entries,
        _ => {
            let url = pg_url(ctx, n)?;
            return Some(PostgresProbe {
                target: PgTarget::Url(url),
                ca_file: None,
                query: None,
                allow_writes: false,
                fetch: Vec::new(),
            });
        }
    };
    ctx.keys(entries, PG_KEYS, "a postgres probe");
    let target = match (get(entries, "url"), get(entries, "host")) {
        (Some(u), None) => {
            for key in ["port", "user", "password", "dbname", "sslmode"] {
                if let Some((k, _)) = crate::ctx::entry(entries, key) {
                    ctx.error(
                        k.span,
                        format!("`{key}` cannot be combined with `url`"),
                        "put it in the URL instead",
                    );
                }
            }
            PgTarget::Url(pg_url(ctx, u)?)
        }
        (None, Some(h)) => {
            let host = ctx.template(h, "host");
            let port = match get(entries, "port") {
                Some(p) => ctx.uint(p, "port", 65535).map(|p| p as u16),
                None => Some(5432),
            };
            let user = match get(entries, "user") {
                Some(u) => ctx.template(u, "user"),
                None => {
                    ctx.error(
                        n.span,
                        "the postgres probe has no `user`",
                        "add `user: NAME`",
                    );
                    None
                }
            };
            let password = opt_template(ctx, entries, "password");
            let dbname = opt_template(ctx, entries, "dbname");
            let sslmode = match get(entries, "sslmode") {
                Some(m) => sslmode(ctx, m).map(Some),
                None => Some(None),
            };
            PgTarget::Fields {
                host: host?,
                port: port?,
                user: user?,
                password: password?,
                dbname: dbname?,
                sslmode: sslmode?,
            }
        }
        (Some(_), Some(h)) => {
            ctx.error(h.span, "use either `url` or `host`", "conflicts with `url`");
            return None;
        }
        (None, None) => {
            ctx.error_help(
                n.span,
                "the postgres probe has no `url` or `host`",
                "nothing to connect to",
                "write `url: postgres://user:${PGPASSWORD}@host:5432/db` or `host:`, `user:` …",
            );
            return None;
        }
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    let query = opt_template(ctx, entries, "query")?;
    let allow_writes = match get(entries, "allow_writes") {
        Some(v) => ctx.bool(v, "allow_writes")?,
        None => false,
    };
    Some(PostgresProbe {
        target,
        ca_file,
        query,
        allow_writes,
        fetch: Vec::new(),
    })
}

fn opt_template(ctx: &mut Ctx<'_>, entries: &[(Node, Node)], key: &str) -> Option<Option<String>> {
    match get(entries, key) {
        Some(v) => ctx.template(v, key).map(Some),
        None => Some(None),
    }
}

fn sslmode(ctx: &mut Ctx<'_>, n: &Node) -> Option<String> {
    let m = ctx.text(n, "sslmode")?;
    if SSLMODES.contains(&m.as_str()) {
        Some(m)
    } else {
        ctx.error_help(
            n.span,
            format!("{} is not an sslmode", shown(n)),
            "unknown sslmode",
            format!("one of: {}", SSLMODES.join(", ")),
        );
        None
    }
}

/// A PostgreSQL URL template (`postgres://` or `postgresql://`).
fn pg_url(ctx: &mut Ctx<'_>, n: &Node) -> Option<String> {
    let url = ctx.template(n, "url")?;
    let lower = url.to_ascii_lowercase();
    if !url.starts_with("{{")
        && !lower.starts_with("postgres://")
        && !lower.starts_with("postgresql://")
    {
        ctx.error(
            n.span,
            "a postgres URL must start with `postgres://` or `postgresql://`",
            "not a postgres URL",
        );
        return None;
    }
    Some(url)
}

/// `redis: URL` or `redis: { url, username, password, ca_file, insecure }`.
pub(crate) fn redis(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<RedisProbe> {
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
