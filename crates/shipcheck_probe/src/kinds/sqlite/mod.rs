//! The `sqlite` probe kind: a database file opened read-only, its schema, row counts,
//! migration history, `integrity_check` and the rows of one query.

pub(crate) mod run;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::Assertion;
use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};

use super::db_common::{SQL_EXPECTATIONS, expect, fetch_list, with_probe};

pub use super::db_common::facts::DbQuery;
pub use spec::SqliteProbe;

/// The `sqlite` kind's registry entry.
pub(crate) static KIND: SqliteKind = SqliteKind;

/// The `sqlite` kind.
pub(crate) struct SqliteKind;

/// Every `expect:` key of a `sqlite` check.
const KEYS: &[&str] = &[
    "json",
    "duration",
    "tables",
    "columns",
    "schema",
    "rows",
    "migrations",
    "integrity_check",
];

impl ProbeKind for SqliteKind {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn hints(&self) -> &'static [Hint] {
        super::db_common::HINTS
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        KEYS
    }
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        node: &Node,
        base_dir: &Path,
        out: &mut Vec<Assertion>,
    ) {
        expect::build(cx, key, node, base_dir, out);
    }
    fn prepare(&self, probe: Arc<dyn Probe>, expect: &[Assertion]) -> Arc<dyn Probe> {
        let fetch = fetch_list(expect, DbQuery::fetched);
        with_probe(probe, |p: &mut SqliteProbe| p.fetch = fetch)
    }
}

probe_impl!(SqliteProbe, "sqlite", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Opens a SQLite database file read-only (never created or changed) and checks its schema, seed rows, migrations and integrity.",
    keys: &[
        KeyDoc {
            name: "sqlite | path",
            value: "path",
            doc: "the database file, relative to the plan (`sqlite: PATH` is the short form); a missing file is an error of class `connect`",
        },
        KeyDoc {
            name: "query",
            value: "SQL",
            doc: "one statement whose rows `json` expectations read (a statement that writes fails)",
        },
    ],
    expectations: &{
        let [tables, columns, schema, rows, migrations, json, duration] = SQL_EXPECTATIONS;
        [
            tables,
            columns,
            schema,
            rows,
            migrations,
            KeyDoc {
                name: "integrity_check",
                value: "text",
                doc: "the result of `PRAGMA integrity_check` (`ok` when healthy)",
            },
            json,
            duration,
        ]
    },
    implied: "nothing beyond what is written",
    example: "- id: seed-data\n  sqlite: { path: app.db }\n  expect:\n    integrity_check: ok\n    rows:\n      - { table: users, where: \"username = 'admin'\", at_least: 1 }\n      - { table: vehicles, at_least: 2 }\n",
};
