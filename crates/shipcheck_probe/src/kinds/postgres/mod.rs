//! The `postgres` probe kind: a PostgreSQL server (URL or fields, `sslmode` honoured), its
//! version, schema, row counts, migration history and the rows of one query, all read in
//! a read-only transaction that is rolled back.

mod bounded;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::Assertion;
use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};

use super::db_common::{SQL_EXPECTATIONS, expect, fetch_list, with_probe};

pub use super::db_common::facts::{DbColumn, DbFacts, DbQuery, MigrationState};
pub use super::db_common::spec::{MigrationSpec, MigrationTool};
pub use spec::{PgTarget, PostgresProbe};

/// The `postgres` kind's registry entry.
pub(crate) static KIND: PostgresKind = PostgresKind;

/// The `postgres` kind.
pub(crate) struct PostgresKind;

/// Every `expect:` key of a `postgres` check.
const KEYS: &[&str] = &[
    "json",
    "duration",
    "tables",
    "columns",
    "schema",
    "rows",
    "migrations",
    "server_version",
];

impl ProbeKind for PostgresKind {
    fn name(&self) -> &'static str {
        "postgres"
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
        let fetch = fetch_list(expect, |q: &DbQuery| {
            matches!(q, DbQuery::Rows { .. } | DbQuery::Migrations(_))
        });
        with_probe(probe, |p: &mut PostgresProbe| p.fetch = fetch)
    }
}

probe_impl!(PostgresProbe, "postgres", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Connects to a PostgreSQL server and checks its version, schema, seed rows and migrations inside a read-only transaction that is always rolled back.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL",
            doc: "`postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=MODE` (also `postgresql://`; `postgres: URL` is the short form)",
        },
        KeyDoc {
            name: "host, port, user, password, dbname",
            value: "text",
            doc: "the field form instead of `url` (port 5432, dbname defaults to the user); passwords are redacted everywhere",
        },
        KeyDoc {
            name: "sslmode",
            value: "`disable`, `prefer`, `require`, `verify-ca`, `verify-full`",
            doc: "as libpq (default `prefer`)",
        },
        KeyDoc {
            name: "ca_file",
            value: "path",
            doc: "an extra trusted CA (PEM) for `verify-ca`/`verify-full`",
        },
        KeyDoc {
            name: "query",
            value: "SQL",
            doc: "one statement whose rows `json` expectations read; a failing query is an error of class `protocol`",
        },
        KeyDoc {
            name: "allow_writes",
            value: "boolean",
            doc: "run outside a read-only transaction and commit (default false)",
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
            json,
            KeyDoc {
                name: "server_version",
                value: "predicate on text",
                doc: "the server version",
            },
            duration,
        ]
    },
    implied: "nothing beyond what is written",
    example: "- id: database\n  postgres: { url: \"postgres://app:${PGPASSWORD}@db:5432/app?sslmode=require\" }\n  expect:\n    server_version: { regex: \"^1[5-7]\\\\.\" }\n    tables: [users, vehicles]\n    rows: { table: users, where: \"username = 'admin'\", at_least: 1 }\n    migrations: { tool: alembic, migrations_dir: backend/alembic/versions }\n",
};
