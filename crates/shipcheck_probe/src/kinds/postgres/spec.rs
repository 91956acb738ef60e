//! The `postgres:` plan key: a URL, or a mapping with `url` or the connection fields.

use std::path::{Path, PathBuf};

use shipcheck_plan::syntax::{Ctx, Kind, Node, entry, get, resolve, shown};

use crate::kinds::db_common::facts::DbQuery;
use crate::kinds::db_common::opt_template;

/// `postgres:` — a PostgreSQL server, reached by URL or by fields.
#[derive(Debug, Clone)]
pub struct PostgresProbe {
    /// Where and how to connect.
    pub target: PgTarget,
    /// Extra trusted CA (PEM) for `sslmode: verify-ca`/`verify-full`.
    pub ca_file: Option<PathBuf>,
    /// `query:` — one SQL statement whose rows the `json` expectations read.
    pub query: Option<String>,
    /// `allow_writes: true` runs statements outside a read-only transaction (and commits).
    pub allow_writes: bool,
    /// What the expectations need fetched (row counts, migrations); filled by the kind's
    /// `prepare`.
    pub fetch: Vec<DbQuery>,
}

/// How to reach PostgreSQL.
#[derive(Debug, Clone)]
pub enum PgTarget {
    /// `url: postgres://user:pass@host:port/db?sslmode=require` (template).
    Url(String),
    /// The field form (each a template).
    Fields {
        /// Host name or address.
        host: String,
        /// Port (default 5432).
        port: u16,
        /// User name.
        user: String,
        /// Password (redacted everywhere).
        password: Option<String>,
        /// Database name (default: the user name).
        dbname: Option<String>,
        /// `disable`, `prefer`, `require`, `verify-ca`, `verify-full`.
        sslmode: Option<String>,
    },
}

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
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<PostgresProbe> {
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
                if let Some((k, _)) = entry(entries, key) {
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
