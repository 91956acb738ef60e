//! The `lint` check: `lint: PATH`, `lint: [PATH, …]` or
//! `lint: { paths, fail_on, config, namespace }`.

use std::path::Path;

use serde_json::Value;

use crate::ast::{Assertion, LintLevel, LintProbe, Predicate, Query};
use crate::ctx::{Ctx, get};
use crate::probe::resolve;
use crate::yaml::{Kind, Node};

/// Parses the `lint` probe; relative paths resolve against the plan's directory.
pub(crate) fn lint(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<LintProbe> {
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

/// A lint check fails when it finds anything at or above `fail_on`: the implied
/// expectation `findings at or above fail_on equals 0`.
pub(crate) fn implicit_expectations(
    probe: Option<&LintProbe>,
    expect: &mut Vec<Assertion>,
    pos: crate::ast::Pos,
) {
    let Some(level) = probe.and_then(|p| p.fail_on) else {
        return;
    };
    let query = Query::Findings(level);
    if !expect.iter().any(|a| a.query == query) {
        expect.insert(
            0,
            Assertion {
                query,
                predicate: Predicate::Equals(Value::from(0)),
                pos,
            },
        );
    }
}
