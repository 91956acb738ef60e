//! The `parity:` plan key: two trees (directories or archives) and the differences allowed.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use shipcheck_plan::syntax::{Ctx, Node, get, resolve};

const KEYS: &[&str] = &["local", "deployed", "allow", "max_files", "modes"];
const MAX_MAX_FILES: u64 = 1_000_000;

/// A parsed `parity:` check.
#[derive(Debug, Clone)]
pub struct ParityProbe {
    /// The reference tree (the package as built), relative to the plan.
    pub local: PathBuf,
    /// The tree compared with it (the deployed copy), relative to the plan.
    pub deployed: PathBuf,
    /// Globs of paths whose differences are allowed, as written.
    pub allow: Vec<String>,
    /// The same, compiled.
    pub allow_set: GlobSet,
    /// Most entries read from each tree.
    pub max_files: usize,
    /// Whether permission bits are compared (when both trees record them).
    pub modes: bool,
}

/// `parity: { local, deployed, allow: [GLOB, …], max_files, modes }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<ParityProbe> {
    let entries = ctx.map(n, "parity")?;
    ctx.keys(entries, KEYS, "a parity check");
    let path = |ctx: &mut Ctx<'_>, key: &str| match get(entries, key) {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, key)?)),
        None => {
            ctx.error(n.span, format!("the parity check has no `{key}`"), format!("add `{key}: DIR_OR_ARCHIVE`"));
            None
        }
    };
    let local = path(ctx, "local");
    let deployed = path(ctx, "deployed");
    let mut allow = Vec::new();
    let mut builder = GlobSetBuilder::new();
    for g in get(entries, "allow").and_then(|a| ctx.seq(a, "allow")).unwrap_or_default() {
        let Some(text) = ctx.text(g, "allow") else { continue };
        match Glob::new(&text) {
            Ok(glob) => {
                builder.add(glob);
                allow.push(text);
            }
            Err(e) => ctx.error(g.span, format!("`{text}` is not a valid glob: {e}"), "invalid glob"),
        }
    }
    let allow_set = match builder.build() {
        Ok(s) => s,
        Err(e) => {
            ctx.error(n.span, format!("the allow globs do not compile: {e}"), "invalid globs");
            return None;
        }
    };
    let max_files = match get(entries, "max_files") {
        Some(m) => usize::try_from(ctx.uint(m, "max_files", MAX_MAX_FILES)?).unwrap_or(1),
        None => 100_000,
    };
    let modes = match get(entries, "modes") {
        Some(m) => ctx.bool(m, "modes")?,
        None => true,
    };
    Some(ParityProbe { local: local?, deployed: deployed?, allow, allow_set, max_files, modes })
}
