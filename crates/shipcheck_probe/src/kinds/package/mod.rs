//! The `package` probe kind: a release package (a directory, zip or tar.gz) read within
//! bounds — its checksum file, `build_info.json`, vendored packages against pinned
//! requirements, required files, secrets inside, and an embedded SQLite database checked
//! with the `sqlite` kind's expectations.

mod facts;
mod run;
mod spec;
#[cfg(test)]
mod tests;
mod vendored;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{Judge, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Kind, Node, Target, get, predicates};
use shipcheck_plan::{Assertion, KindJudge, KindQuery, Pos, Predicate, Query};

use facts::{BuildInfoFields, FieldType, HasFiles, InDb, InDbJudge, NoSecrets, PackageQuery, VendoredExact};

pub use spec::PackageProbe;

use super::db_common::facts::DbQuery;
use super::db_common::with_probe;

/// The `package` kind's registry entry.
pub(crate) static KIND: PackageKind = PackageKind;

/// The `package` kind.
pub(crate) struct PackageKind;

/// The `sqlite` expectations a package's database takes.
const DB_KEYS: &[&str] = &["tables", "columns", "schema", "rows", "migrations", "integrity_check"];

fn query(q: PackageQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

fn judge(j: impl Judge + 'static) -> Predicate {
    Predicate::Judge(KindJudge(Arc::new(j)))
}

impl ProbeKind for PackageKind {
    fn name(&self) -> &'static str {
        "package"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["checksum", "build_info", "vendored", "files", "secrets", "sqlite", "json", "duration"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, base_dir: &Path, out: &mut Vec<Assertion>) {
        let pos = v.pos();
        let mut push = |query, predicate| out.push(Assertion { query, predicate, pos });
        match key {
            "checksum" => predicates(cx, v, Target::Text("checksum"), &query(PackageQuery::Checksum), out),
            "build_info" => {
                let mut fields = Vec::new();
                for (k, t) in cx.map(v, "build_info").unwrap_or_default() {
                    let (Some(name), Some(ty)) = (cx.text(k, "build_info field"), cx.text(t, "build_info type")) else {
                        continue;
                    };
                    match FieldType::parse(&ty) {
                        Some(ty) => fields.push((name, ty)),
                        None => cx.error_help(
                            t.span,
                            format!("`{ty}` is not a build_info field type"),
                            "unknown type",
                            format!("use one of {}", FieldType::NAMES.join(", ")),
                        ),
                    }
                }
                push(query(PackageQuery::BuildInfo), judge(BuildInfoFields(fields)));
            }
            "vendored" => {
                let dev = match &v.kind {
                    Kind::Map(entries) => {
                        cx.keys(entries, &["dev"], "vendored");
                        get(entries, "dev")
                            .and_then(|d| cx.seq(d, "dev"))
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|d| cx.text(d, "dev package"))
                            .collect()
                    }
                    _ => {
                        if cx.text(v, "vendored").as_deref() != Some("exact") {
                            cx.error(v.span, "`vendored` takes `exact` or `{ dev: [NAME, …] }`", "unknown value");
                        }
                        Vec::new()
                    }
                };
                push(query(PackageQuery::Vendored), judge(VendoredExact { dev }));
            }
            "files" => {
                let files: Vec<String> = cx
                    .seq(v, "files")
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|f| cx.text(f, "file"))
                    .map(|f| shipcheck_archive::clean_entry_name(&f).unwrap_or(f))
                    .collect();
                push(query(PackageQuery::Files), judge(HasFiles(files)));
            }
            "secrets" => {
                if cx.text(v, "secrets").as_deref() != Some("none") {
                    cx.error(v.span, "`secrets` takes `none`", "write `secrets: none`");
                }
                push(query(PackageQuery::Secrets), judge(NoSecrets));
            }
            _ => {
                let Some(entries) = cx.map(v, "sqlite") else {
                    return;
                };
                cx.keys(entries, DB_KEYS, "the package's sqlite expectations");
                let mut inner = Vec::new();
                for (k, val) in entries {
                    if let Some(name) = k.scalar_text().filter(|n| DB_KEYS.contains(&n.as_str())) {
                        super::sqlite::KIND.expect(cx, &name, val, base_dir, &mut inner);
                    }
                }
                for a in inner {
                    let Query::Kind(q) = a.query else { continue };
                    let predicate = match a.predicate {
                        Predicate::Judge(j) => judge(InDbJudge(j.0)),
                        other => other,
                    };
                    out.push(Assertion { query: Query::Kind(KindQuery(Arc::new(InDb(q.0)))), predicate, pos: a.pos });
                }
            }
        }
    }
    /// `checksum: ok` with a `checksum:` file, `vendored: exact` with `requirements:`,
    /// and `secrets: none` always, unless written.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(p) = probe.as_any().downcast_ref::<PackageProbe>() else {
            return;
        };
        let has = |expect: &[Assertion], q: PackageQuery| expect.iter().any(|a| a.query == query(q));
        if !has(expect, PackageQuery::Secrets) {
            expect.insert(0, Assertion { query: query(PackageQuery::Secrets), predicate: judge(NoSecrets), pos });
        }
        if p.requirements.is_some() && !has(expect, PackageQuery::Vendored) {
            expect.insert(0, Assertion { query: query(PackageQuery::Vendored), predicate: judge(VendoredExact { dev: Vec::new() }), pos });
        }
        if p.checksum.is_some() && !has(expect, PackageQuery::Checksum) {
            expect.insert(0, Assertion { query: query(PackageQuery::Checksum), predicate: Predicate::Equals(Value::from("ok")), pos });
        }
    }
    fn prepare(&self, probe: Arc<dyn Probe>, expect: &[Assertion]) -> Arc<dyn Probe> {
        let mut fetch: Vec<DbQuery> = Vec::new();
        for a in expect {
            let Query::Kind(k) = &a.query else { continue };
            let any: &dyn std::any::Any = k.0.as_ref();
            let Some(InDb(inner)) = any.downcast_ref::<InDb>() else { continue };
            let inner: &dyn std::any::Any = inner.as_ref();
            if let Some(q) = inner.downcast_ref::<DbQuery>()
                && q.fetched()
                && !fetch.contains(q)
            {
                fetch.push(q.clone());
            }
        }
        with_probe(probe, |p: &mut PackageProbe| p.fetch = fetch)
    }
}

probe_impl!(PackageProbe, "package", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Reads a release package — a directory, a zip or a tar.gz — within bounds (entries, bytes per entry, bytes in all; entries named `../…` or absolute and links out of the tree are refused, never followed) and checks it as FIELD system 4 ships it: the `sha256sum`-format checksum file, `build_info.json` fields and values, vendored packages against the pinned requirements (pip names normalised; nothing missing, nothing extra, versions equal, no dev-only packages), required files, no secrets inside (the `secrets/*` lint rules, masked), and an embedded SQLite database with the `sqlite` expectations.",
    keys: &[
        KeyDoc { name: "package | path", value: "path", doc: "the package directory, `.zip`, `.tar.gz`/`.tgz` or `.tar`, relative to the plan (`package: PATH` is the short form)" },
        KeyDoc { name: "checksum", value: "path", doc: "a `sha256sum`-format file (relative to the plan); each `HASH  NAME` names an entry of the package or a file next to the checksum file (the archive itself)" },
        KeyDoc { name: "build_info", value: "path inside", doc: "the build-info JSON file (default `build_info.json`); `json:` expectations query it" },
        KeyDoc { name: "requirements", value: "path inside", doc: "the pinned requirements: `requirements.txt` (`name==version`; comments and option lines ignored) or a `package.json` with exact `dependencies`" },
        KeyDoc { name: "vendor", value: "path inside", doc: "the directory holding the vendored packages: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, `node_modules/*/package.json` directly under it (default: the package root)" },
        KeyDoc { name: "sqlite", value: "path inside", doc: "a SQLite database inside the package, checked with the `sqlite` expectations under `expect: { sqlite: … }`" },
        KeyDoc { name: "max_entries", value: "integer", doc: "most entries read (default 100000); more is an error" },
        KeyDoc { name: "max_size", value: "size", doc: "most bytes in all entries (default 1GiB, at most 4GiB; 256MiB per entry); more is an error" },
    ],
    expectations: &[
        KeyDoc { name: "checksum", value: "text predicate", doc: "`ok` when every line of the checksum file matches; otherwise each mismatch or missing name" },
        KeyDoc { name: "build_info", value: "{ FIELD: TYPE }", doc: "each field present with its type: `string`, `number`, `integer`, `boolean`, `timestamp` (RFC 3339), `commit` (7–64 hex digits); the report names each missing field" },
        KeyDoc { name: "json", value: "mapping of JSONPath → predicate", doc: "values of the build-info document (`\"$.commit\": \"${GIT_COMMIT}\"`)" },
        KeyDoc { name: "vendored", value: "`exact` or { dev: [NAME, …] }", doc: "the vendored set equals the pinned one (each missing, extra or wrong-version package named) and none of the dev-only packages is vendored" },
        KeyDoc { name: "files", value: "list of paths inside", doc: "each present (e.g. the entry point `passenger_wsgi.py`)" },
        KeyDoc { name: "secrets", value: "`none`", doc: "no text file inside holds a secret the `secrets/*` lint rules recognise (reported masked)" },
        KeyDoc { name: "sqlite", value: "`tables`, `columns`, `schema`, `rows`, `migrations`, `integrity_check`", doc: "the embedded database, as the `sqlite` probe checks a file" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "time to read the package" },
    ],
    implied: "`secrets: none`; `checksum: ok` with a `checksum:` file; `vendored: exact` with `requirements:`",
    example: "- id: release-package\n  package: { path: dist/deploy.zip, checksum: dist/deploy.zip.sha256, requirements: requirements.txt, vendor: vendor, sqlite: data/app.db }\n  expect:\n    build_info: { timestamp: timestamp, commit: commit, build_type: string, runtime_version: string }\n    vendored: { dev: [pytest, black] }\n    files: [passenger_wsgi.py]\n    sqlite: { tables: [users], rows: { table: users, where: \"username = 'admin'\", at_least: 1 } }\n",
};
