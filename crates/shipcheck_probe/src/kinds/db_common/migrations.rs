//! Migration state: the history table a tool writes (read by the database probes with
//! [`history_sql`]) compared with the tool's scripts directory ([`compare`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::spec::{MigrationSpec, MigrationTool};
use regex::Regex;

use super::facts::MigrationState;

/// Most directory entries read from a migrations directory.
const MAX_ENTRIES: usize = 10_000;
/// Bytes of each Alembic script read (the header holds the revision lines).
const MAX_SCRIPT_HEAD: u64 = 64 * 1024;

/// One row of a history table: a migration id and whether it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    pub(crate) id: String,
    pub(crate) ok: bool,
}

/// The history table of a tool and the query (valid in PostgreSQL and SQLite) that reads
/// `(id TEXT, ok BOOLEAN)` rows from it, oldest first.
pub(crate) fn history_sql(tool: MigrationTool) -> (&'static str, &'static str) {
    match tool {
        MigrationTool::Alembic => (
            "alembic_version",
            "SELECT CAST(version_num AS TEXT), true FROM alembic_version",
        ),
        MigrationTool::Flyway => (
            "flyway_schema_history",
            "SELECT CAST(version AS TEXT), success FROM flyway_schema_history \
             WHERE version IS NOT NULL ORDER BY installed_rank",
        ),
        MigrationTool::Django => (
            "django_migrations",
            "SELECT CAST(app || '.' || name AS TEXT), true FROM django_migrations ORDER BY id",
        ),
        MigrationTool::Sqlx => (
            "_sqlx_migrations",
            "SELECT CAST(version AS TEXT), success FROM _sqlx_migrations ORDER BY version",
        ),
        MigrationTool::Prisma => (
            "_prisma_migrations",
            "SELECT CAST(migration_name AS TEXT), finished_at IS NOT NULL FROM _prisma_migrations \
             WHERE rolled_back_at IS NULL ORDER BY started_at",
        ),
    }
}

/// Compare the applied migrations with the scripts directory (if the spec names one).
pub(crate) fn compare(spec: &MigrationSpec, applied: &[Applied]) -> MigrationState {
    let mut state = MigrationState {
        failed: applied
            .iter()
            .filter(|a| !a.ok)
            .map(|a| a.id.clone())
            .collect(),
        ..MigrationState::default()
    };
    let ok: Vec<&Applied> = applied.iter().filter(|a| a.ok).collect();
    state.current = match spec.tool {
        MigrationTool::Alembic => ok.iter().map(|a| a.id.clone()).collect(),
        _ => ok.last().map(|a| a.id.clone()).into_iter().collect(),
    };
    let Some(dir) = &spec.dir else {
        return state;
    };
    state.compared = true;
    let result = match spec.tool {
        MigrationTool::Alembic => alembic(dir, &ok, &mut state),
        tool => linear(tool, dir, &ok, &mut state),
    };
    if let Err(e) = result {
        state.error = Some(e);
    }
    state
}

fn entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read migrations directory {}: {e}", dir.display()))?;
    let mut out: Vec<PathBuf> = rd.take(MAX_ENTRIES).flatten().map(|e| e.path()).collect();
    out.sort();
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Scripts of a tool whose history is a list (Flyway, sqlx, Prisma, Django), in order.
fn scripts(tool: MigrationTool, dir: &Path) -> Result<Vec<String>, String> {
    let mut out: Vec<(Vec<u64>, String)> = Vec::new();
    match tool {
        MigrationTool::Flyway | MigrationTool::Sqlx => {
            let re = match tool {
                MigrationTool::Flyway => Regex::new(r"^V([0-9][0-9._]*)__.*\.sql$"),
                _ => Regex::new(r"^([0-9]+)_.*\.sql$"),
            }
            .map_err(|e| e.to_string())?;
            for p in entries(dir)? {
                let name = file_name(&p);
                if name.ends_with(".down.sql") {
                    continue;
                }
                if let Some(c) = re.captures(&name) {
                    let raw = c[1].replace('_', ".");
                    let key: Vec<u64> = raw.split('.').filter_map(|s| s.parse().ok()).collect();
                    let id = if tool == MigrationTool::Sqlx {
                        key.first().map_or(raw.clone(), u64::to_string)
                    } else {
                        raw
                    };
                    out.push((key, id));
                }
            }
        }
        MigrationTool::Prisma => {
            for p in entries(dir)? {
                if p.join("migration.sql").is_file() {
                    out.push((Vec::new(), file_name(&p)));
                }
            }
        }
        MigrationTool::Django => {
            let dirs: Vec<PathBuf> = if file_name(dir) == "migrations" {
                vec![dir.to_path_buf()]
            } else {
                entries(dir)?
                    .into_iter()
                    .map(|p| p.join("migrations"))
                    .filter(|p| p.is_dir())
                    .collect()
            };
            let re = Regex::new(r"^([0-9]{4}_\w*)\.py$").map_err(|e| e.to_string())?;
            for d in dirs {
                let app = d.parent().map(file_name).unwrap_or_default();
                for p in entries(&d)? {
                    if let Some(c) = re.captures(&file_name(&p)) {
                        out.push((Vec::new(), format!("{app}.{}", &c[1])));
                    }
                }
            }
        }
        MigrationTool::Alembic => {}
    }
    out.sort();
    Ok(out.into_iter().map(|(_, id)| id).collect())
}

fn linear(
    tool: MigrationTool,
    dir: &Path,
    ok: &[&Applied],
    state: &mut MigrationState,
) -> Result<(), String> {
    let files = scripts(tool, dir)?;
    if files.is_empty() {
        return Err(format!(
            "no {} migrations in {}",
            tool.name(),
            dir.display()
        ));
    }
    let applied: HashSet<&str> = ok.iter().map(|a| a.id.as_str()).collect();
    let known: HashSet<&str> = files.iter().map(String::as_str).collect();
    let apps: HashSet<&str> = files.iter().filter_map(|f| f.split('.').next()).collect();
    state.head = files.last().cloned();
    state.pending = files
        .iter()
        .filter(|f| !applied.contains(f.as_str()))
        .cloned()
        .collect();
    state.unknown = ok
        .iter()
        .map(|a| a.id.as_str())
        .filter(|id| !known.contains(id))
        .filter(|id| {
            tool != MigrationTool::Django || id.split('.').next().is_some_and(|a| apps.contains(a))
        })
        .map(str::to_owned)
        .collect();
    Ok(())
}

/// Alembic: revision → down revisions, from the scripts' `revision = …` lines.
fn alembic_graph(dir: &Path) -> Result<BTreeMap<String, Vec<String>>, String> {
    let rev = Regex::new(r#"(?m)^revision\s*(?::[^=]*)?=\s*['"]([^'"]+)['"]"#)
        .map_err(|e| e.to_string())?;
    let down =
        Regex::new(r"(?m)^down_revision\s*(?::[^=]*)?=\s*(.+)$").map_err(|e| e.to_string())?;
    let ids = Regex::new(r#"['"]([^'"]+)['"]"#).map_err(|e| e.to_string())?;
    let mut graph = BTreeMap::new();
    for p in entries(dir)? {
        if p.extension().is_none_or(|e| e != "py") {
            continue;
        }
        let mut text = String::new();
        let file = std::fs::File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        file.take(MAX_SCRIPT_HEAD)
            .read_to_string(&mut text)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        let Some(r) = rev.captures(&text) else {
            continue;
        };
        let downs: Vec<String> = down
            .captures(&text)
            .map(|d| ids.captures_iter(&d[1]).map(|c| c[1].to_owned()).collect())
            .unwrap_or_default();
        graph.insert(r[1].to_owned(), downs);
    }
    if graph.is_empty() {
        return Err(format!("no alembic revisions in {}", dir.display()));
    }
    Ok(graph)
}

/// A revision and everything below it.
fn ancestors(graph: &BTreeMap<String, Vec<String>>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.to_owned()];
    while let Some(r) = stack.pop() {
        if seen.len() > graph.len() || !seen.insert(r.clone()) {
            continue;
        }
        if let Some(downs) = graph.get(&r) {
            stack.extend(downs.iter().cloned());
        }
    }
    seen
}

/// Depth (longest path down to a base), for ordering pending revisions oldest first.
fn depth(
    graph: &BTreeMap<String, Vec<String>>,
    r: &str,
    memo: &mut BTreeMap<String, usize>,
) -> usize {
    if let Some(d) = memo.get(r) {
        return *d;
    }
    memo.insert(r.to_owned(), 0);
    let d = graph
        .get(r)
        .map(|downs| {
            downs
                .iter()
                .map(|x| depth(graph, x, memo) + 1)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    memo.insert(r.to_owned(), d);
    d
}

fn alembic(dir: &Path, ok: &[&Applied], state: &mut MigrationState) -> Result<(), String> {
    let graph = alembic_graph(dir)?;
    let referenced: HashSet<&str> = graph.values().flatten().map(String::as_str).collect();
    let heads: Vec<&String> = graph
        .keys()
        .filter(|r| !referenced.contains(r.as_str()))
        .collect();
    let head = match heads.as_slice() {
        [one] => (*one).clone(),
        [] => return Err("the alembic history has no head (a cycle?)".into()),
        many => {
            return Err(format!(
                "the alembic history has {} heads ({}): merge them with `alembic merge`",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    };
    let mut applied = BTreeSet::new();
    for a in ok {
        if graph.contains_key(&a.id) {
            applied.extend(ancestors(&graph, &a.id));
        } else {
            state.unknown.push(a.id.clone());
        }
    }
    let mut memo = BTreeMap::new();
    let mut pending: Vec<(usize, String)> = ancestors(&graph, &head)
        .into_iter()
        .filter(|r| !applied.contains(r))
        .map(|r| (depth(&graph, &r, &mut memo), r))
        .collect();
    pending.sort();
    state.pending = pending.into_iter().map(|(_, r)| r).collect();
    state.head = Some(head);
    Ok(())
}

/// One line for the report: "at head", "behind by N (…)", "unknown revision …".
pub(crate) fn describe(tool: MigrationTool, s: &MigrationState) -> (bool, String) {
    let current = if s.current.is_empty() {
        "no migration applied".to_owned()
    } else {
        format!("at {}", s.current.join(", "))
    };
    let name = tool.name();
    if let Some(e) = &s.error {
        return (false, format!("{name}: {e} (database {current})"));
    }
    let mut problems = Vec::new();
    if !s.failed.is_empty() {
        problems.push(format!("failed migration(s): {}", s.failed.join(", ")));
    }
    if !s.unknown.is_empty() {
        problems.push(format!(
            "unknown revision(s) {} (not in the migrations directory)",
            s.unknown.join(", ")
        ));
    }
    if !s.pending.is_empty() {
        problems.push(format!(
            "behind by {} ({} not applied; head is {})",
            s.pending.len(),
            s.pending.join(", "),
            s.head.as_deref().unwrap_or("?")
        ));
    }
    if !problems.is_empty() {
        return (
            false,
            format!("{name}: database {current}; {}", problems.join("; ")),
        );
    }
    if !s.compared {
        return (
            true,
            format!("{name}: database {current} (no migrations_dir: head not checked)"),
        );
    }
    if s.current.is_empty() {
        return (false, format!("{name}: {current}"));
    }
    (
        true,
        format!("{name}: at head ({})", s.head.as_deref().unwrap_or("?")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(dir: &Path, rev: &str, down: &str) {
        std::fs::write(
            dir.join(format!("{rev}_x.py")),
            format!("\"\"\"x\"\"\"\nrevision = '{rev}'\ndown_revision = {down}\n"),
        )
        .unwrap();
    }

    fn applied(ids: &[&str]) -> Vec<Applied> {
        ids.iter()
            .map(|i| Applied {
                id: (*i).to_owned(),
                ok: true,
            })
            .collect()
    }

    #[test]
    fn alembic_behind_by_two_names_them_oldest_first() {
        let d = tempfile::tempdir().unwrap();
        script(d.path(), "a1", "None");
        script(d.path(), "b2", "'a1'");
        script(d.path(), "c3", "'b2'");
        script(d.path(), "d4", "'c3'");
        let spec = MigrationSpec {
            tool: MigrationTool::Alembic,
            dir: Some(d.path().to_path_buf()),
        };
        let s = compare(&spec, &applied(&["b2"]));
        assert_eq!(s.pending, vec!["c3", "d4"]);
        let (ok, text) = describe(spec.tool, &s);
        assert!(!ok);
        assert!(
            text.contains("behind by 2 (c3, d4 not applied; head is d4)"),
            "{text}"
        );
        let s = compare(&spec, &applied(&["d4"]));
        assert_eq!(
            describe(spec.tool, &s),
            (true, "alembic: at head (d4)".into())
        );
        let s = compare(&spec, &applied(&["zz9"]));
        assert!(
            describe(spec.tool, &s)
                .1
                .contains("unknown revision(s) zz9")
        );
    }

    #[test]
    fn without_a_directory_only_the_current_revision_is_reported() {
        let spec = MigrationSpec {
            tool: MigrationTool::Alembic,
            dir: None,
        };
        let s = compare(&spec, &applied(&["c3"]));
        assert_eq!(
            describe(spec.tool, &s),
            (
                true,
                "alembic: database at c3 (no migrations_dir: head not checked)".into()
            )
        );
        let spec = MigrationSpec {
            tool: MigrationTool::Sqlx,
            dir: None,
        };
        let rows = vec![
            Applied {
                id: "1".into(),
                ok: true,
            },
            Applied {
                id: "2".into(),
                ok: false,
            },
        ];
        let (ok, text) = describe(spec.tool, &compare(&spec, &rows));
        assert!(!ok);
        assert_eq!(text, "sqlx: database at 1; failed migration(s): 2");
    }

    #[test]
    fn alembic_several_heads_and_merges() {
        let d = tempfile::tempdir().unwrap();
        script(d.path(), "a1", "None");
        script(d.path(), "b2", "'a1'");
        script(d.path(), "c3", "'a1'");
        let spec = MigrationSpec {
            tool: MigrationTool::Alembic,
            dir: Some(d.path().to_path_buf()),
        };
        let s = compare(&spec, &applied(&["b2"]));
        assert!(s.error.as_deref().unwrap().contains("2 heads (b2, c3)"));
        script(d.path(), "m4", "('b2', 'c3')");
        let s = compare(&spec, &applied(&["b2"]));
        assert_eq!(s.pending, vec!["c3", "m4"]);
    }

    #[test]
    fn flyway_sqlx_prisma_django_lists() {
        let d = tempfile::tempdir().unwrap();
        for f in ["V1__init.sql", "V1_1__users.sql", "V2__vehicles.sql"] {
            std::fs::write(d.path().join(f), "").unwrap();
        }
        let spec = MigrationSpec {
            tool: MigrationTool::Flyway,
            dir: Some(d.path().to_path_buf()),
        };
        let mut rows = applied(&["1", "1.1"]);
        rows.push(Applied {
            id: "2".into(),
            ok: false,
        });
        let s = compare(&spec, &rows);
        assert_eq!(s.pending, vec!["2"]);
        assert_eq!(s.failed, vec!["2"]);

        let d = tempfile::tempdir().unwrap();
        for f in [
            "20240101000000_init.sql",
            "20240202000000_more.sql",
            "20240202000000_more.down.sql",
        ] {
            std::fs::write(d.path().join(f), "").unwrap();
        }
        let spec = MigrationSpec {
            tool: MigrationTool::Sqlx,
            dir: Some(d.path().to_path_buf()),
        };
        let s = compare(&spec, &applied(&["20240101000000", "20240202000000"]));
        assert!(describe(spec.tool, &s).0);

        let d = tempfile::tempdir().unwrap();
        for m in ["20240101_init", "20240202_more"] {
            std::fs::create_dir(d.path().join(m)).unwrap();
            std::fs::write(d.path().join(m).join("migration.sql"), "").unwrap();
        }
        let spec = MigrationSpec {
            tool: MigrationTool::Prisma,
            dir: Some(d.path().to_path_buf()),
        };
        let s = compare(&spec, &applied(&["20240101_init"]));
        assert_eq!(s.pending, vec!["20240202_more"]);

        let d = tempfile::tempdir().unwrap();
        let m = d.path().join("shop").join("migrations");
        std::fs::create_dir_all(&m).unwrap();
        for f in ["__init__.py", "0001_initial.py", "0002_price.py"] {
            std::fs::write(m.join(f), "").unwrap();
        }
        let spec = MigrationSpec {
            tool: MigrationTool::Django,
            dir: Some(d.path().to_path_buf()),
        };
        let s = compare(&spec, &applied(&["auth.0001_initial", "shop.0001_initial"]));
        assert_eq!(s.pending, vec!["shop.0002_price"]);
        assert!(
            s.unknown.is_empty(),
            "apps outside the directory are ignored"
        );
    }
}
