//! The plan's `setup:` and `teardown:` lists → [`Step`]s: commands run before the checks
//! (some in the background: the system under test) and after them, always, plus temporary
//! directories named as variables. Templates in steps may use plan variables and
//! temporary-directory names, never captures (no check has run yet).

use std::path::Path;
use std::time::Duration;

use crate::ast::{Step, StepAction};
use crate::ctx::{Ctx, Site, get, suggest};
use crate::graph::VarDef;
use crate::template::{Piece, is_identifier, parse};
use crate::yaml::Node;

/// The keys of a setup or teardown step.
pub(crate) const STEP_KEYS: &[&str] = &[
    "id",
    "command",
    "shell",
    "tempdir",
    "background",
    "dir",
    "env",
    "timeout",
];
/// Default bound on a foreground step.
const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// Most steps in one list.
const MAX_STEPS: usize = 100;

/// Parses `setup:` (`teardown` false) or `teardown:`; records template sites in `sites`.
pub(crate) fn steps(
    ctx: &mut Ctx<'_>,
    n: &Node,
    teardown: bool,
    sites: &mut Vec<(Site, String)>,
) -> Vec<Step> {
    let what = if teardown { "teardown" } else { "setup" };
    let items = ctx.seq(n, what).unwrap_or_default();
    if items.len() > MAX_STEPS {
        ctx.error(
            n.span,
            format!("`{what}` has more than {MAX_STEPS} steps"),
            "too many steps",
        );
        return Vec::new();
    }
    let mut out: Vec<Step> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(entries) = ctx.map(item, what) else {
            continue;
        };
        ctx.keys(entries, STEP_KEYS, &format!("a {what} step"));
        let id = match get(entries, "id") {
            Some(v) => match ctx.text(v, "id") {
                Some(id) => id,
                None => continue,
            },
            None => format!("{what}-{}", i + 1),
        };
        if out.iter().any(|s| s.id == id) {
            ctx.error(
                item.span,
                format!("duplicate {what} step id `{id}`"),
                "ids are unique in a list",
            );
            continue;
        }
        let saved = std::mem::take(&mut ctx.sites);
        let action = action(ctx, item, entries, what);
        let dir = get(entries, "dir").and_then(|d| ctx.template(d, "dir"));
        let env = get(entries, "env")
            .map(|e| crate::probe::pairs(ctx, e, "env", false))
            .unwrap_or_default();
        let step_sites = std::mem::replace(&mut ctx.sites, saved);
        sites.extend(step_sites.into_iter().map(|s| (s, id.clone())));
        let timeout = match get(entries, "timeout") {
            Some(t) => crate::check::positive_duration(ctx, t, "timeout"),
            None => Some(DEFAULT_STEP_TIMEOUT),
        };
        let background = match get(entries, "background") {
            Some(b) => {
                let bg = ctx.bool(b, "background");
                if bg == Some(true) && teardown {
                    ctx.error(
                        b.span,
                        "a teardown step cannot run in the background",
                        "teardown steps run to their end",
                    );
                }
                if bg == Some(true) && matches!(action, Some(StepAction::TempDir(_))) {
                    ctx.error(
                        b.span,
                        "a `tempdir` step has nothing to run in the background",
                        "remove `background`",
                    );
                }
                bg.unwrap_or(false)
            }
            None => false,
        };
        if let (Some(action), Some(timeout)) = (action, timeout) {
            out.push(Step {
                id,
                action,
                dir,
                env,
                timeout,
                background,
                pos: item.pos(),
            });
        }
    }
    out
}

fn action(
    ctx: &mut Ctx<'_>,
    item: &Node,
    entries: &[(Node, Node)],
    what: &str,
) -> Option<StepAction> {
    let given: Vec<&str> = ["command", "shell", "tempdir"]
        .into_iter()
        .filter(|k| get(entries, k).is_some())
        .collect();
    if given.len() != 1 {
        ctx.error_help(
            item.span,
            format!("a {what} step does exactly one thing"),
            if given.is_empty() {
                "nothing to do".to_owned()
            } else {
                format!("has {}", given.join(" and "))
            },
            "write one of `command: [PROGRAM, ARG…]`, `shell: \"…\"` or `tempdir: NAME`",
        );
        return None;
    }
    match given[0] {
        "command" => {
            let n = get(entries, "command")?;
            let items = ctx.seq(n, "command")?;
            if items.is_empty() {
                ctx.error(n.span, "the command is empty", "name a program to run");
                return None;
            }
            let argv: Vec<String> = items
                .iter()
                .filter_map(|i| ctx.template(i, "command"))
                .collect();
            (argv.len() == items.len()).then_some(StepAction::Argv(argv))
        }
        "shell" => Some(StepAction::Shell(
            ctx.template(get(entries, "shell")?, "shell")?,
        )),
        _ => {
            let n = get(entries, "tempdir")?;
            let name = ctx.text(n, "tempdir")?;
            if !is_identifier(&name) {
                ctx.error_help(
                    n.span,
                    format!("`{name}` is not a valid variable name"),
                    "invalid name",
                    "the temporary directory is read as `{{ NAME }}`: letters, digits and `_`",
                );
                return None;
            }
            Some(StepAction::TempDir(name))
        }
    }
}

/// The temporary directories as variables (for the checks' template validation), each an
/// error when it reuses a `vars:` name.
pub(crate) fn tempdir_vars(
    ctx: &mut Ctx<'_>,
    setup: &[Step],
    n: Option<&Node>,
    vars: &[VarDef],
) -> Vec<VarDef> {
    let mut out: Vec<VarDef> = Vec::new();
    for s in setup {
        let StepAction::TempDir(name) = &s.action else {
            continue;
        };
        if vars.iter().chain(out.iter()).any(|v| &v.name == name) {
            if let Some(n) = n {
                ctx.error(
                    n.span,
                    format!("temporary directory `{name}` has the name of another variable"),
                    "rename it",
                );
            }
            continue;
        }
        out.push(VarDef {
            name: name.clone(),
            span: n.map(|n| n.span).unwrap_or_default(),
            sites: Vec::new(),
        });
    }
    out
}

/// Templates in steps name only variables and temporary directories.
pub(crate) fn validate(ctx: &mut Ctx<'_>, sites: &[(Site, String)], known: &[&str]) {
    for (site, step) in sites {
        for piece in parse(&site.text) {
            match piece {
                Piece::Var(name, _) if known.contains(&name) => {}
                Piece::Var(name, _) => {
                    let label = match suggest(name, known.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "not a variable or a temporary directory".to_owned(),
                    };
                    ctx.error_help(
                        site.span,
                        format!("undefined variable `{name}` in step `{step}`"),
                        label,
                        "steps may use `vars:` and `tempdir:` names (captures do not exist yet)",
                    );
                }
                Piece::Bad(raw, _, why) => {
                    ctx.error(site.span, format!("invalid template `{raw}`"), why)
                }
                Piece::Text(_) => {}
            }
        }
    }
}

/// The directory a step runs in: its `dir` (rendered, relative to the plan) or the plan's.
pub fn step_dir(base_dir: &Path, rendered: Option<&str>) -> std::path::PathBuf {
    match rendered {
        Some(d) => crate::probe::resolve(base_dir, d),
        None => base_dir.to_path_buf(),
    }
}
