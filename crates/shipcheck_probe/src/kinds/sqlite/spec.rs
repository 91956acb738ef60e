//! The `sqlite:` plan key: `sqlite: PATH` or `sqlite: { path: PATH, query: SQL }`.

use std::path::{Path, PathBuf};

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve};

use crate::kinds::db_common::facts::DbQuery;

/// `sqlite:` — `{ path: FILE }` or the short form `sqlite: FILE`.
#[derive(Debug, Clone)]
pub struct SqliteProbe {
    /// Database file, resolved against the plan's directory.
    pub path: PathBuf,
    /// `query:` — one SQL statement whose rows the `json` expectations read.
    pub query: Option<String>,
    /// What the expectations need fetched (row counts, integrity, migrations); filled by
    /// the kind's `prepare`.
    pub fetch: Vec<DbQuery>,
}

/// `sqlite: PATH` or `sqlite: { path: PATH }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<SqliteProbe> {
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
