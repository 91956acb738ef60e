//! What the database kinds share: the SQL expectations (`tables`, `columns`, `schema`,
//! `rows`, `migrations`) with their facts, judges and migration history, and the
//! connection helpers (TCP with classified failures, TLS). Each kind's folder picks what
//! it uses; nothing here names a kind.

pub(crate) mod expect;
pub(crate) mod facts;
pub(crate) mod judge;
pub(crate) mod migrations;
pub(crate) mod net;
mod pg_dump;
pub(crate) mod spec;
pub(crate) mod tls;

use std::sync::Arc;

use shipcheck_plan::kind::{KeyDoc, Probe, Select};
use shipcheck_plan::syntax::{Ctx, Node, get};
use shipcheck_plan::{Assertion, Query};

/// The kind's own queries among `expect` that `keep` selects, each once, in plan order.
pub(crate) fn fetch_list<Q: Select + Clone + PartialEq>(
    expect: &[Assertion],
    keep: impl Fn(&Q) -> bool,
) -> Vec<Q> {
    let mut out: Vec<Q> = Vec::new();
    for a in expect {
        let Query::Kind(k) = &a.query else {
            continue;
        };
        let any: &dyn std::any::Any = k.0.as_ref();
        if let Some(q) = any.downcast_ref::<Q>()
            && keep(q)
            && !out.contains(q)
        {
            out.push(q.clone());
        }
    }
    out
}

/// A copy of the parsed probe `P` changed by `set` (what [`shipcheck_plan::kind::ProbeKind::prepare`]
/// returns); another probe is returned as is.
pub(crate) fn with_probe<P: Probe + Clone>(
    probe: Arc<dyn Probe>,
    set: impl FnOnce(&mut P),
) -> Arc<dyn Probe> {
    match probe.as_any().downcast_ref::<P>() {
        Some(p) => {
            let mut p = p.clone();
            set(&mut p);
            Arc::new(p)
        }
        None => probe,
    }
}

/// Cuts `text` to at most `cap` bytes (on a character boundary); whether it was cut.
pub(crate) fn cap_text(text: &mut String, cap: usize) -> bool {
    if text.len() <= cap {
        return false;
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

/// An optional template-valued key of a probe mapping (`None` inside: not written).
pub(crate) fn opt_template(
    ctx: &mut Ctx<'_>,
    entries: &[(Node, Node)],
    key: &str,
) -> Option<Option<String>> {
    match get(entries, key) {
        Some(v) => ctx.template(v, key).map(Some),
        None => Some(None),
    }
}

/// The documentation of the shared SQL expectations.
pub(crate) const SQL_EXPECTATIONS: [KeyDoc; 7] = [
    KeyDoc {
        name: "tables",
        value: "list of tables",
        doc: "each table exists",
    },
    KeyDoc {
        name: "columns",
        value: "{ T: [COL, …] } or { T: { COL: TYPE | { type, nullable } } }",
        doc: "the table has each column (and its type and nullability; types compare after normalising aliases such as `int4` = `integer`)",
    },
    KeyDoc {
        name: "schema",
        value: "path",
        doc: "schema drift against an expected-schema YAML file (or `pg_dump --schema-only` output when it ends in `.sql`): missing or extra tables and columns, type or nullability mismatches",
    },
    KeyDoc {
        name: "rows",
        value: "{ table, where, at_least… } or a list of them",
        doc: "seed data: `SELECT count(*) FROM T WHERE SQL` within bounds (`equals`, `not_equals`, `one_of`, `at_least`, `at_most`, `under`, `over`)",
    },
    KeyDoc {
        name: "migrations",
        value: "TOOL or { tool, migrations_dir }",
        doc: "the database is at the head revision (alembic, flyway, django, sqlx, prisma); without a directory only the current revision is reported",
    },
    KeyDoc {
        name: "json",
        value: "mapping of JSONPath → predicate",
        doc: "JSONPath into the rows of `query`",
    },
    KeyDoc {
        name: "duration",
        value: "bound on a duration",
        doc: "time of the attempt",
    },
];

/// What usually causes a database kind's failures (`sqlite`, `postgres`).
pub(crate) static HINTS: &[shipcheck_plan::kind::Hint] = &[
    shipcheck_plan::kind::Hint {
        when: "columns",
        hint: "the database schema is behind or ahead of the application model: a migration was not run, or was run against another database",
    },
    shipcheck_plan::kind::Hint {
        when: "rows",
        hint: "seed or reference data is missing: the seeding step did not run in this environment",
    },
    shipcheck_plan::kind::Hint {
        when: "table",
        hint: "the table does not exist: migrations did not run against this database",
    },
];
