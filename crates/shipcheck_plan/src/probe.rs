//! Shared probe-key helpers (paths, name/value pairs) and the `sqlite:` probe key.

use std::path::{Path, PathBuf};

use crate::ast::SqliteProbe;
use crate::ctx::{Ctx, get};
use crate::yaml::{Kind, Node};

/// Resolve a path from the plan against the plan's directory.
pub fn resolve(base_dir: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}

/// Whether `name` is a valid HTTP header name (RFC 9110 token).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// `(name, template)` pairs of a mapping (headers, query, form).
pub fn pairs(ctx: &mut Ctx<'_>, n: &Node, what: &str, header_names: bool) -> Vec<(String, String)> {
    let Some(entries) = ctx.map(n, what) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(mut name) = k.scalar_text() else {
            ctx.expected(k, what, "a mapping of names to values");
            continue;
        };
        if header_names {
            if !is_token(&name) {
                ctx.error(
                    k.span,
                    format!("`{name}` is not a valid header name"),
                    "invalid header name",
                );
                continue;
            }
            name = name.to_ascii_lowercase();
        }
        if let Some(value) = ctx.template(v, &format!("{what}.{name}")) {
            out.push((name, value));
        }
    }
    out
}

/// `sqlite: PATH` or `sqlite: { path: PATH }`.
pub(crate) fn sqlite(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<SqliteProbe> {
    let path_node = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, &["path", "query"], "a sqlite probe");
            let Some(p) = get(entries, "path") else {
                ctx.error(n.span, "the sqlite probe has no `path`", "add `path: FILE`");
                return None;
            };
            p
        }
        _ => n,
    };
    let path = ctx.text(path_node, "sqlite")?;
    if path.trim().is_empty() {
        ctx.error(path_node.span, "the sqlite path is empty", "empty path");
        return None;
    }
    let query = match &n.kind {
        Kind::Map(entries) => match get(entries, "query") {
            Some(q) => Some(ctx.template(q, "query")?),
            None => None,
        },
        _ => None,
    };
    Some(SqliteProbe {
        path: resolve(base_dir, &path),
        query,
        fetch: Vec::new(),
    })
}
