//! The `package:` plan key: a release package (directory, zip, tar.gz) and where its
//! checksum file, build info, pinned requirements, vendored packages and database are.

use std::path::{Path, PathBuf};

use shipcheck_archive::Limits;
use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve};

use crate::kinds::db_common::facts::DbQuery;

const KEYS: &[&str] = &[
    "path",
    "checksum",
    "build_info",
    "requirements",
    "vendor",
    "sqlite",
    "max_entries",
    "max_size",
];

/// Largest `max_size` (bytes in all entries).
const MAX_MAX_SIZE: u64 = 4 * 1024 * 1024 * 1024;

/// A parsed `package:` check.
#[derive(Debug, Clone)]
pub struct PackageProbe {
    /// The package: a directory, a zip or a tar.gz (relative to the plan).
    pub path: PathBuf,
    /// A `sha256sum`-format file on disk (relative to the plan); its names are entries
    /// of the package, or files next to it.
    pub checksum: Option<PathBuf>,
    /// The build-info file inside the package.
    pub build_info: String,
    /// The pinned requirements file inside the package (`requirements.txt` format, or a
    /// `package.json` whose `dependencies` are exact versions).
    pub requirements: Option<String>,
    /// The directory inside the package holding the vendored packages (`""`: the root).
    pub vendor: String,
    /// A SQLite database inside the package.
    pub sqlite: Option<String>,
    /// Bounds on reading the package.
    pub limits: Limits,
    /// What the `sqlite` expectations need fetched (filled by the kind's `prepare`).
    pub fetch: Vec<DbQuery>,
}

/// `package: PATH` or `package: { path, checksum, build_info, requirements, vendor, sqlite, … }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<PackageProbe> {
    let entries: &[(Node, Node)] = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, "a package check");
            entries
        }
        _ => &[],
    };
    let path_node = match &n.kind {
        Kind::Map(_) => match get(entries, "path") {
            Some(p) => p,
            None => {
                ctx.error(n.span, "the package check has no `path`", "add `path: DIR_OR_ARCHIVE`");
                return None;
            }
        },
        _ => n,
    };
    let path = resolve(base_dir, &ctx.text(path_node, "path")?);
    let checksum = match get(entries, "checksum") {
        Some(c) => Some(resolve(base_dir, &ctx.text(c, "checksum")?)),
        None => None,
    };
    let inner = |ctx: &mut Ctx<'_>, key: &str| -> Option<Option<String>> {
        match get(entries, key) {
            None => Some(None),
            Some(v) => {
                let text = ctx.text(v, key)?;
                match shipcheck_archive::clean_entry_name(&text) {
                    Ok(clean) => Some(Some(clean)),
                    Err(why) => {
                        ctx.error(v.span, format!("`{key}` is a path inside the package, but {why}"), "not inside the package");
                        None
                    }
                }
            }
        }
    };
    let build_info = inner(ctx, "build_info")?.unwrap_or_else(|| "build_info.json".into());
    let requirements = inner(ctx, "requirements")?;
    let vendor = inner(ctx, "vendor")?.unwrap_or_default();
    let sqlite = inner(ctx, "sqlite")?;
    let mut limits = Limits::default();
    if let Some(m) = get(entries, "max_entries") {
        limits.max_entries = usize::try_from(ctx.uint(m, "max_entries", 1_000_000)?).unwrap_or(1);
    }
    if let Some(m) = get(entries, "max_size") {
        limits.max_total_bytes = ctx.bounded_size(m, "max_size", MAX_MAX_SIZE, "4GiB")?;
        limits.max_entry_bytes = limits.max_entry_bytes.min(limits.max_total_bytes);
    }
    Some(PackageProbe {
        path,
        checksum,
        build_info,
        requirements,
        vendor,
        sqlite,
        limits,
        fetch: Vec::new(),
    })
}
