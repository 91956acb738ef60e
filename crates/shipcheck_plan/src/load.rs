//! The plan's top level (`name`, `release`/`version`/`commit`, `environment`, `vars`, `secrets`, `defaults`, `checks`) and
//! the public entry points [`load_file`] and [`load_str`].

use std::collections::BTreeMap;
use std::path::Path;

use crate::ast::Plan;
use crate::check::{self, Defaults};
use crate::ctx::{Ctx, get};
use crate::error::{PlanErrors, RawError, Span, finish};
use crate::file::read_regular_file;
use crate::graph::{self, VarDef};
use crate::interp::is_env_name;
use crate::kind::Kinds;
use crate::lifecycle;
use crate::template::is_identifier;
use crate::yaml::{self, Kind, Node};

/// Keys of `defaults:`.
pub(crate) const DEFAULTS_KEYS: &[&str] = &["timeout", "retry", "concurrency"];
/// Largest plan file accepted.
pub(crate) const MAX_PLAN_BYTES: usize = 4 * 1024 * 1024;
/// Largest `defaults.concurrency`.
pub(crate) const MAX_CONCURRENCY: u64 = 1024;
/// Shortest secret value that can be redacted without hiding ordinary text.
const MIN_SECRET_CHARS: usize = 4;

/// The plan's top-level keys (the loader and the plan schema read this one list).
pub(crate) const TOP_KEYS: &[&str] = &[
    "name",
    "release",
    "version",
    "commit",
    "environment",
    "vars",
    "secrets",
    "defaults",
    "setup",
    "teardown",
    "checks",
];

/// Read and load a plan file. A read error is a [`PlanErrors`] with one entry naming the path.
/// Only a regular file is read, and at most one byte more than the plan limit.
pub fn load_file(
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    kinds: Kinds,
) -> Result<Plan, PlanErrors> {
    let read = read_regular_file(path, MAX_PLAN_BYTES as u64).and_then(|bytes| {
        String::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
    });
    match read {
        Ok(src) => load_str(&src, path, env, kinds),
        Err(e) => Err(PlanErrors {
            errors: vec![crate::PlanError {
                path: path.to_path_buf(),
                line: 0,
                column: 0,
                message: format!("cannot read plan file `{}`: {e}", path.display()),
                label: String::new(),
                help: None,
                span: 0..0,
            }],
            source: String::new(),
        }),
    }
}

/// Load a plan from its source. `path` names the file in errors and its directory is the
/// base for relative paths. `env` reads environment variables (for `${…}` and `secrets`);
/// `kinds` lists the probe kinds checks may use.
pub fn load_str(
    src: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    kinds: Kinds,
) -> Result<Plan, PlanErrors> {
    let mut ctx = Ctx::new(env, kinds);
    let plan = if src.len() > MAX_PLAN_BYTES {
        ctx.error(
            Span::default(),
            format!(
                "the plan is larger than {} MiB",
                MAX_PLAN_BYTES / (1024 * 1024)
            ),
            "file too large",
        );
        None
    } else {
        yaml::parse(src, &mut ctx).and_then(|root| build(&mut ctx, &root, path, src))
    };
    match plan {
        Some(plan) if ctx.errors.is_empty() => Ok(plan),
        _ => {
            let mut errors: Vec<RawError> = ctx.errors;
            if errors.is_empty() {
                // Defensive: a part failed without saying why.
                errors.push(RawError {
                    span: Span::default(),
                    message: "the plan is invalid".to_owned(),
                    label: String::new(),
                    help: None,
                    unset: None,
                });
            }
            let mut errors = finish(path, src, once_per_unset_variable(errors));
            errors.mask_secrets(&ctx.secret_values);
            Err(errors)
        }
    }
}

/// Keeps one error per unset environment variable: the first in the file (the `secrets:`
/// declaration when the plan declares it first), whose help then names the other lines
/// that use it. A token used in ten places is one thing to fix, not ten.
fn once_per_unset_variable(mut errors: Vec<RawError>) -> Vec<RawError> {
    errors.sort_by_key(|e| e.span.start);
    let mut first: BTreeMap<String, usize> = BTreeMap::new();
    let mut also: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut keep = Vec::with_capacity(errors.len());
    for e in errors {
        if let Some(name) = &e.unset {
            if first.contains_key(name) {
                let lines = also.entry(name.clone()).or_default();
                if !lines.contains(&e.span.start.line) {
                    lines.push(e.span.start.line);
                }
                continue;
            }
            first.insert(name.clone(), keep.len());
        }
        keep.push(e);
    }
    for (name, lines) in also {
        let Some(e) = first.get(&name).and_then(|&i| keep.get_mut(i)) else {
            continue;
        };
        let lines: Vec<String> = lines
            .iter()
            .filter(|&&l| l != e.span.start.line)
            .map(u32::to_string)
            .collect();
        if lines.is_empty() {
            continue;
        }
        let note = format!(
            "`{name}` is also used on line{} {}",
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        );
        e.help = Some(match e.help.take() {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
    }
    keep
}

/// The plan's directory (`.` for a bare file name).
fn base_dir(path: &Path) -> std::path::PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    }
}

fn build(ctx: &mut Ctx<'_>, root: &Node, path: &Path, src: &str) -> Option<Plan> {
    let Kind::Map(entries) = &root.kind else {
        ctx.error(
            root.span,
            "a plan must be a mapping",
            format!("found {}", root.type_name()),
        );
        return None;
    };
    ctx.keys(entries, TOP_KEYS, "the plan");
    let base_dir = base_dir(path);

    let name = match get(entries, "name") {
        Some(n) => ctx.text(n, "name"),
        None => {
            ctx.error(root.span, "the plan has no `name`", "add `name: …`");
            None
        }
    };
    // What is being verified, shown as declared: `version: 1.20` is the text `1.20`, not
    // the number 1.2, and `commit: 0123456` keeps its leading zero.
    let mut subject = ["release", "version", "commit"].map(|key| {
        get(entries, key).and_then(|n| match n.kind {
            Kind::Int(_) | Kind::Float(_) => crate::error::source_text(src, n.span)
                .map(str::to_owned)
                .or_else(|| n.scalar_text()),
            _ => ctx.text(n, key),
        })
    });
    let environment =
        get(entries, "environment").map_or_else(BTreeMap::new, |n| environment(ctx, n));
    let (vars, mut var_defs) = get(entries, "vars").map_or_else(Default::default, |n| vars(ctx, n));
    let mut step_sites = Vec::new();
    let setup = get(entries, "setup")
        .map(|n| lifecycle::steps(ctx, n, false, &mut step_sites))
        .unwrap_or_default();
    let teardown = get(entries, "teardown")
        .map(|n| lifecycle::steps(ctx, n, true, &mut step_sites))
        .unwrap_or_default();
    let tempdirs = lifecycle::tempdir_vars(ctx, &setup, get(entries, "setup"), &var_defs);
    var_defs.extend(tempdirs);
    let known: Vec<&str> = var_defs.iter().map(|v| v.name.as_str()).collect();
    lifecycle::validate(ctx, &step_sites, &known);
    let (secret_names, secret_values) =
        get(entries, "secrets").map_or_else(Default::default, |n| secrets(ctx, n));
    let defaults =
        get(entries, "defaults").map_or_else(|| Some(Defaults::default()), |n| defaults(ctx, n));

    let mut checks = Vec::new();
    let mut metas = Vec::new();
    match get(entries, "checks") {
        None => ctx.error(root.span, "the plan has no `checks`", "add `checks: [ … ]`"),
        Some(n) => {
            let items = ctx.seq(n, "checks").unwrap_or_default();
            if items.is_empty() && matches!(n.kind, Kind::Seq(_)) {
                ctx.error(n.span, "`checks` is empty", "add at least one check");
            }
            let d = defaults.unwrap_or_default();
            for item in items {
                let (check, meta) = check::build(ctx, item, &d, &base_dir);
                checks.extend(check);
                metas.extend(meta);
            }
        }
    }
    graph::validate(ctx, &metas, &var_defs);
    let concurrency = defaults?.concurrency;
    Some(Plan {
        name: name?,
        release: subject[0].take(),
        version: subject[1].take(),
        commit: subject[2].take(),
        path: path.to_path_buf(),
        base_dir,
        environment,
        vars,
        secret_names,
        secret_values,
        checks,
        concurrency,
        setup,
        teardown,
    })
}

fn environment(ctx: &mut Ctx<'_>, n: &Node) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in ctx.map(n, "environment").unwrap_or_default() {
        let Some(key) = k.scalar_text() else {
            ctx.expected(k, "environment", "a mapping of names to values");
            continue;
        };
        let Some(value) = ctx.text(v, &format!("environment.{key}")) else {
            continue;
        };
        out.insert(key, value);
    }
    out
}

type Vars = (BTreeMap<String, serde_json::Value>, Vec<VarDef>);

fn vars(ctx: &mut Ctx<'_>, n: &Node) -> Vars {
    let mut values = BTreeMap::new();
    let mut defs = Vec::new();
    for (k, v) in ctx.map(n, "vars").unwrap_or_default() {
        let Some(name) = k.scalar_text() else {
            ctx.expected(k, "vars", "a mapping of names to values");
            continue;
        };
        if !is_identifier(&name) {
            ctx.error_help(
                k.span,
                format!("`{name}` is not a valid variable name"),
                "invalid name",
                "names are letters, digits and `_`, not starting with a digit",
            );
            continue;
        }
        let saved = std::mem::take(&mut ctx.sites);
        ctx.template_sites(v);
        let sites = std::mem::replace(&mut ctx.sites, saved);
        if let Some(value) = ctx.json(v) {
            values.insert(name.clone(), value);
        }
        defs.push(VarDef {
            name,
            span: k.span,
            sites,
        });
    }
    (values, defs)
}

fn secrets(ctx: &mut Ctx<'_>, n: &Node) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut values = Vec::new();
    for item in ctx.seq(n, "secrets").unwrap_or_default() {
        let Some(name) = ctx.text(item, "secrets") else {
            continue;
        };
        if !is_env_name(&name) {
            ctx.error(
                item.span,
                format!("`{name}` is not an environment variable name"),
                "secrets lists environment variable names",
            );
            continue;
        }
        if names.contains(&name) {
            continue;
        }
        match (ctx.env)(&name) {
            None => {
                ctx.error_help(
                    item.span,
                    format!("secret `{name}` is not set in the environment"),
                    "declared here",
                    format!("set `{name}`: declared secrets must be set so they can be redacted"),
                );
                ctx.tag_unset(&name);
            }
            Some(v) if v.is_empty() => ctx.error_help(
                item.span,
                format!("secret `{name}` is empty"),
                "declared here",
                format!("set `{name}` to its value"),
            ),
            Some(v) if v.chars().count() < MIN_SECRET_CHARS => ctx.error_help(
                item.span,
                format!("secret `{name}` is shorter than {MIN_SECRET_CHARS} characters"),
                "too short to redact safely",
                "redacting a value this short would also hide ordinary text; use a longer secret",
            ),
            Some(v) => {
                ctx.secret_values.push(v.clone());
                values.push(v);
            }
        }
        names.push(name);
    }
    (names, values)
}

fn defaults(ctx: &mut Ctx<'_>, n: &Node) -> Option<Defaults> {
    let entries = ctx.map(n, "defaults")?;
    ctx.keys(entries, DEFAULTS_KEYS, "defaults");
    let mut d = Defaults::default();
    if let Some(t) = get(entries, "timeout") {
        d.timeout = check::positive_duration(ctx, t, "timeout")?;
    }
    if let Some(r) = get(entries, "retry") {
        d.retry = check::retry(ctx, r)?;
    }
    if let Some(c) = get(entries, "concurrency") {
        d.concurrency = match ctx.uint(c, "concurrency", MAX_CONCURRENCY)? {
            0 => {
                ctx.error(c.span, "`concurrency` must be at least 1", "zero");
                return None;
            }
            n => Some(usize::try_from(n).unwrap_or(1)),
        };
    }
    Some(d)
}
