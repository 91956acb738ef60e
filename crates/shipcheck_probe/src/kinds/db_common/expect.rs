//! The database `expect:` keys shared by the SQL kinds (`tables`, `columns`, `schema`,
//! `rows`, `migrations`, `integrity_check`, `server_version`) → assertions, plus the
//! expected-schema file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::Judge;
use shipcheck_plan::syntax::{Ctx, Kind, Node, Target, get, predicates, resolve, shown};
use shipcheck_plan::{Assertion, KindJudge, KindQuery, Predicate, Query};

use super::facts::DbQuery;
use super::judge::{AtHead, HasColumns, MatchesSchema};
use super::pg_dump;
use super::spec::{ColumnSpec, ExpectedSchema, MigrationSpec, MigrationTool};

/// Largest expected-schema file.
const MAX_SCHEMA_BYTES: u64 = 4 * 1024 * 1024;

/// A database query as a plan query.
pub(crate) fn q(query: DbQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(query)))
}

fn judge(j: impl Judge + 'static) -> Predicate {
    Predicate::Judge(KindJudge(Arc::new(j)))
}

/// One shared database key of `expect:`; pushes its assertions.
pub(crate) fn build(
    ctx: &mut Ctx<'_>,
    key: &str,
    v: &Node,
    base_dir: &Path,
    out: &mut Vec<Assertion>,
) {
    let mut push = |query, predicate, n: &Node| {
        out.push(Assertion {
            query,
            predicate,
            pos: n.pos(),
        });
    };
    match key {
        "tables" => {
            for t in ctx.seq(v, "tables").unwrap_or_default() {
                if let Some(name) = ctx.text(t, "table name") {
                    push(q(DbQuery::Table(name)), Predicate::Exists(true), t);
                }
            }
        }
        "columns" => {
            for (table, cols) in ctx.map(v, "columns").unwrap_or_default() {
                let Some(table) = ctx.text(table, "table name") else {
                    continue;
                };
                let want = match &cols.kind {
                    Kind::Map(_) => columns_typed(ctx, cols),
                    _ => columns_plain(ctx, cols),
                };
                if let Some(want) = want {
                    let p = judge(HasColumns {
                        table: table.clone(),
                        want,
                    });
                    push(q(DbQuery::Columns(table)), p, cols);
                }
            }
        }
        "schema" => {
            if let Some(schema) = schema_file(ctx, v, base_dir) {
                let shown = schema.path.display().to_string();
                push(q(DbQuery::Schema(shown)), judge(MatchesSchema(schema)), v);
            }
        }
        "integrity_check" => {
            if let Some(s) = ctx.text(v, "integrity_check") {
                push(
                    q(DbQuery::Integrity),
                    Predicate::Equals(Value::String(s)),
                    v,
                );
            }
        }
        "migrations" => {
            if let Some(spec) = migrations(ctx, v, base_dir) {
                push(q(DbQuery::Migrations(spec.clone())), judge(AtHead(spec)), v);
            }
        }
        "rows" => {
            let items: Vec<&Node> = match &v.kind {
                Kind::Seq(items) => items.iter().collect(),
                _ => vec![v],
            };
            for item in items {
                rows(ctx, item, out);
            }
        }
        "server_version" => {
            predicates(ctx, v, Target::Json, &q(DbQuery::ServerVersion), out);
        }
        _ => {}
    }
}

/// `[COL, …]`: the named columns, type and nullability not checked.
fn columns_plain(ctx: &mut Ctx<'_>, cols: &Node) -> Option<Vec<ColumnSpec>> {
    let items = ctx.seq(cols, "columns")?;
    let names: Vec<String> = items
        .iter()
        .filter_map(|c| ctx.text(c, "column name"))
        .collect();
    if items.is_empty() {
        ctx.error(cols.span, "list at least one column", "empty list");
        return None;
    }
    (names.len() == items.len()).then(|| {
        names
            .into_iter()
            .map(|name| ColumnSpec {
                name,
                data_type: None,
                nullable: None,
            })
            .collect()
    })
}

/// `{ col: type }` or `{ col: { type, nullable } }` (also used by schema files).
fn columns_typed(ctx: &mut Ctx<'_>, cols: &Node) -> Option<Vec<ColumnSpec>> {
    let entries = ctx.map(cols, "columns")?;
    if entries.is_empty() {
        ctx.error(cols.span, "list at least one column", "empty mapping");
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (k, v) in entries {
        let Some(name) = ctx.text(k, "column name") else {
            ok = false;
            continue;
        };
        let spec = match &v.kind {
            Kind::Null => Some(ColumnSpec {
                name,
                data_type: None,
                nullable: None,
            }),
            Kind::Map(fields) => {
                ctx.keys(fields, &["type", "nullable"], "a column");
                let data_type = match get(fields, "type") {
                    Some(t) => ctx.text(t, "type").map(Some),
                    None => Some(None),
                };
                let nullable = match get(fields, "nullable") {
                    Some(b) => ctx.bool(b, "nullable").map(Some),
                    None => Some(None),
                };
                match (data_type, nullable) {
                    (Some(data_type), Some(nullable)) => Some(ColumnSpec {
                        name,
                        data_type,
                        nullable,
                    }),
                    _ => None,
                }
            }
            _ => ctx.text(v, "type").map(|t| ColumnSpec {
                name,
                data_type: Some(t),
                nullable: None,
            }),
        };
        match spec {
            Some(s) => out.push(s),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// `schema: FILE` — an expected-schema YAML file (`tables: { t: { col: type } }`), or
/// `pg_dump --schema-only` output when the file name ends in `.sql`.
fn schema_file(ctx: &mut Ctx<'_>, v: &Node, base_dir: &Path) -> Option<ExpectedSchema> {
    let name = ctx.text(v, "schema")?;
    let path = resolve(base_dir, &name);
    let src = shipcheck_plan::read_regular_file(&path, MAX_SCHEMA_BYTES)
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_owned()));
    let src = match src {
        Ok(s) => s,
        Err(e) => {
            ctx.error(
                v.span,
                format!(
                    "cannot read the expected-schema file `{}`: {e}",
                    path.display()
                ),
                "unreadable schema file",
            );
            return None;
        }
    };
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
    {
        return match pg_dump::parse(&src) {
            Ok(tables) => Some(ExpectedSchema { path, tables }),
            Err(e) => {
                ctx.error(
                    v.span,
                    format!("{}: {e}", path.display()),
                    "invalid expected-schema file",
                );
                None
            }
        };
    }
    match ctx.other_file(&src, schema_tables) {
        Ok(tables) => Some(ExpectedSchema {
            path,
            tables: tables?,
        }),
        Err((first, count)) => {
            ctx.error(
                v.span,
                format!("{}:{first}", path.display()),
                format!("invalid expected-schema file ({count} problem(s))"),
            );
            None
        }
    }
}

fn schema_tables(ctx: &mut Ctx<'_>, root: &Node) -> Option<BTreeMap<String, Vec<ColumnSpec>>> {
    let entries = ctx.map(root, "schema file")?;
    ctx.keys(entries, &["tables"], "an expected-schema file");
    let Some(tables) = get(entries, "tables") else {
        ctx.error(
            root.span,
            "the schema file has no `tables`",
            "add `tables:`",
        );
        return None;
    };
    let mut out = BTreeMap::new();
    for (t, cols) in ctx.map(tables, "tables")? {
        let name = ctx.text(t, "table name")?;
        let cols = columns_typed(ctx, cols)?;
        out.insert(name, cols);
    }
    Some(out)
}

/// `migrations: alembic` or `{ tool, migrations_dir }`.
fn migrations(ctx: &mut Ctx<'_>, v: &Node, base_dir: &Path) -> Option<MigrationSpec> {
    let (tool_node, dir) = match &v.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, &["tool", "migrations_dir"], "migrations");
            let Some(t) = get(entries, "tool") else {
                ctx.error(v.span, "`migrations` has no `tool`", "add `tool: alembic`");
                return None;
            };
            let dir = match get(entries, "migrations_dir") {
                Some(d) => Some(resolve(base_dir, &ctx.text(d, "migrations_dir")?)),
                None => None,
            };
            (t, dir)
        }
        _ => (v, None),
    };
    let tool = match ctx.text(tool_node, "tool")?.as_str() {
        "alembic" => MigrationTool::Alembic,
        "flyway" => MigrationTool::Flyway,
        "django" => MigrationTool::Django,
        "sqlx" => MigrationTool::Sqlx,
        "prisma" => MigrationTool::Prisma,
        _ => {
            ctx.error_help(
                tool_node.span,
                format!("{} is not a supported migration tool", shown(tool_node)),
                "unknown tool",
                "one of: alembic, flyway, django, sqlx, prisma",
            );
            return None;
        }
    };
    Some(MigrationSpec { tool, dir })
}

/// `rows: { table, where, at_least… }` — a row count of a table.
fn rows(ctx: &mut Ctx<'_>, n: &Node, out: &mut Vec<Assertion>) {
    let Some(entries) = ctx.map(n, "rows") else {
        return;
    };
    const BOUNDS: &[&str] = &[
        "equals",
        "not_equals",
        "one_of",
        "at_least",
        "at_most",
        "under",
        "over",
    ];
    let mut allowed = vec!["table", "where"];
    allowed.extend_from_slice(BOUNDS);
    ctx.keys(entries, &allowed, "rows");
    let Some(table) = get(entries, "table").and_then(|t| ctx.text(t, "table")) else {
        if get(entries, "table").is_none() {
            ctx.error(n.span, "`rows` has no `table`", "add `table: NAME`");
        }
        return;
    };
    let filter = match get(entries, "where") {
        Some(w) => match ctx.text(w, "where") {
            Some(f) => Some(f),
            None => return,
        },
        None => None,
    };
    let query = q(DbQuery::Rows { table, filter });
    let bounds: Vec<(Node, Node)> = entries
        .iter()
        .filter(|(k, _)| matches!(&k.kind, Kind::Str(s) if BOUNDS.contains(&s.as_str())))
        .cloned()
        .collect();
    if bounds.is_empty() {
        ctx.error_help(
            n.span,
            "`rows` has no bound",
            "nothing to check",
            "add e.g. `at_least: 1`",
        );
        return;
    }
    let node = Node {
        kind: Kind::Map(bounds),
        span: n.span,
        expanded: false,
    };
    predicates(ctx, &node, Target::Number, &query, out);
}
