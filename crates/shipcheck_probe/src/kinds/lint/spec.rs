//! The `lint` check: `lint: PATH`, `lint: [PATH, …]` or
//! `lint: { paths, fail_on, config, namespace }`.

use std::path::{Path, PathBuf};

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve};

/// `lint:` — lint deployment files as part of the plan.
#[derive(Debug, Clone)]
pub struct LintProbe {
    /// Files and directories, resolved against the plan's directory.
    pub paths: Vec<PathBuf>,
    /// Findings at or above this level fail the check; `None` (`fail_on: never`) never fails.
    pub fail_on: Option<LintLevel>,
    /// A `.shipcheck.yaml` to use instead of the nearest one.
    pub config: Option<PathBuf>,
    /// Namespace of objects that declare none.
    pub namespace: Option<String>,
    /// The plan's directory; findings are reported relative to it.
    pub base_dir: PathBuf,
}

/// A lint severity threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LintLevel {
    /// Info and above.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
}

/// Parses the `lint` probe; relative paths resolve against the plan's directory.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<LintProbe> {
    let (paths_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(
                entries,
                &["paths", "fail_on", "config", "namespace"],
                "a lint check",
            );
            let Some(p) = get(entries, "paths") else {
                ctx.error(
                    n.span,
                    "the lint check has no `paths`",
                    "add `paths: [DIR, …]`",
                );
                return None;
            };
            (p, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let mut paths = Vec::new();
    match &paths_node.kind {
        Kind::Seq(items) => {
            for item in items {
                paths.push(resolve(base_dir, &ctx.text(item, "a lint path")?));
            }
        }
        _ => paths.push(resolve(base_dir, &ctx.text(paths_node, "a lint path")?)),
    }
    if paths.is_empty() {
        ctx.error(
            paths_node.span,
            "the lint check names no paths",
            "empty list",
        );
        return None;
    }
    let fail_on = match get(entries, "fail_on") {
        None => Some(LintLevel::Error),
        Some(f) => match ctx.text(f, "fail_on")?.as_str() {
            "error" => Some(LintLevel::Error),
            "warning" => Some(LintLevel::Warning),
            "info" => Some(LintLevel::Info),
            "never" => None,
            other => {
                ctx.error_help(
                    f.span,
                    format!("`fail_on: {other}` is not a severity"),
                    "unknown severity",
                    "use one of: error, warning, info, never",
                );
                return None;
            }
        },
    };
    let config = match get(entries, "config") {
        Some(c) => Some(resolve(base_dir, &ctx.text(c, "config")?)),
        None => None,
    };
    let namespace = match get(entries, "namespace") {
        Some(ns) => Some(ctx.text(ns, "namespace")?),
        None => None,
    };
    Some(LintProbe {
        paths,
        fail_on,
        config,
        namespace,
        base_dir: base_dir.to_path_buf(),
    })
}
