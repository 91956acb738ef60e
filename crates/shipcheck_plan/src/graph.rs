//! Whole-plan validation: duplicate ids, unknown and cyclic `needs`, capture names, and
//! `{{ name }}` references (a capture may be used only by checks that transitively need the
//! capturing check; variables may refer only to variables, without cycles).

use std::collections::{BTreeSet, HashMap};

use crate::check::Meta;
use crate::ctx::{Ctx, Site, suggest};
use crate::error::Span;
use crate::template::{Piece, parse};

/// A plan variable with its template strings.
pub(crate) struct VarDef {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) sites: Vec<Site>,
}

/// Every cycle found by a depth-first walk: the nodes in order and the span of the edge
/// that closes it.
fn cycles(edges: &[Vec<(usize, Span)>]) -> Vec<(Vec<usize>, Span)> {
    let mut found = Vec::new();
    let mut state = vec![0u8; edges.len()]; // 0 new, 1 on the path, 2 done
    for root in 0..edges.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(to, span)) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let start = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut cycle: Vec<usize> =
                            stack[start..].iter().map(|(n, _)| *n).collect();
                        cycle.push(to);
                        found.push((cycle, span));
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    found
}

/// Every node reachable from `from` (excluding `from` unless on a cycle).
fn reachable(edges: &[Vec<(usize, Span)>], from: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<usize> = edges[from].iter().map(|(t, _)| *t).collect();
    while let Some(n) = todo.pop() {
        if seen.insert(n) {
            todo.extend(edges[n].iter().map(|(t, _)| *t));
        }
    }
    seen
}

/// Report template syntax errors in `site`; return its variable references.
fn refs(ctx: &mut Ctx<'_>, site: &Site) -> Vec<String> {
    let mut names = Vec::new();
    for piece in parse(&site.text) {
        match piece {
            Piece::Var(name, _) => names.push(name.to_owned()),
            Piece::Bad(raw, _, why) => {
                ctx.error(site.span, format!("invalid template `{raw}`"), why);
            }
            Piece::Text(_) => {}
        }
    }
    names
}

/// Validate ids, `needs`, captures and templates across the plan.
pub(crate) fn validate(ctx: &mut Ctx<'_>, checks: &[Meta], vars: &[VarDef]) {
    // Ids: the first occurrence wins; later ones are errors.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, c) in checks.iter().enumerate() {
        if let Some(&first) = index.get(c.id.as_str()) {
            ctx.error(
                c.id_span,
                format!("duplicate check id `{}`", c.id),
                format!("first defined on line {}", checks[first].id_span.start.line),
            );
        } else {
            index.insert(&c.id, i);
        }
    }

    // Capture names: unique across the plan and distinct from variables.
    let var_names: HashMap<&str, &VarDef> = vars.iter().map(|v| (v.name.as_str(), v)).collect();
    let mut captured_by: HashMap<&str, (usize, Span)> = HashMap::new();
    for (i, c) in checks.iter().enumerate() {
        for (name, span) in &c.captures {
            if let Some(v) = var_names.get(name.as_str()) {
                ctx.error(
                    *span,
                    format!("capture `{name}` has the same name as a variable"),
                    format!("variable defined on line {}", v.span.start.line),
                );
            } else if let Some((first, first_span)) = captured_by.get(name.as_str()) {
                ctx.error(
                    *span,
                    format!(
                        "`{name}` is already captured by check `{}`",
                        checks[*first].id
                    ),
                    format!("first captured on line {}", first_span.start.line),
                );
            } else {
                captured_by.insert(name, (i, *span));
            }
        }
    }

    // `needs` edges.
    let mut ids: Vec<&str> = index.keys().copied().collect();
    ids.sort_unstable();
    let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); checks.len()];
    for (i, c) in checks.iter().enumerate() {
        for (need, span) in &c.needs {
            match index.get(need.as_str()) {
                Some(&to) => edges[i].push((to, *span)),
                None => {
                    let label = match suggest(need, ids.iter().copied()) {
                        Some(s) => format!("no check has this id; did you mean `{s}`?"),
                        None => "no check has this id".to_owned(),
                    };
                    ctx.error(
                        span.to_owned(),
                        format!("`needs` names an unknown check `{need}`"),
                        label,
                    );
                }
            }
        }
    }
    for (cycle, span) in cycles(&edges) {
        let path: Vec<&str> = cycle.iter().map(|&i| checks[i].id.as_str()).collect();
        ctx.error_help(
            span,
            format!("cyclic `needs`: {}", path.join(" → ")),
            "this dependency closes the cycle",
            "a check cannot (even indirectly) need itself",
        );
    }

    // Templates in checks.
    let mut known: Vec<&str> = var_names.keys().copied().collect();
    known.extend(captured_by.keys().copied());
    known.sort_unstable();
    for (i, c) in checks.iter().enumerate() {
        let deps = reachable(&edges, i);
        for site in &c.sites {
            for name in refs(ctx, site) {
                if var_names.contains_key(name.as_str()) {
                    continue;
                }
                match captured_by.get(name.as_str()) {
                    Some((by, _)) if deps.contains(by) => {}
                    Some((by, _)) => {
                        let by = &checks[*by].id;
                        ctx.error_help(
                            site.span,
                            format!("`{{{{ {name} }}}}` is captured by check `{by}`, which check `{}` does not need", c.id),
                            format!("`{name}` is not available here"),
                            format!("add `{by}` to the `needs` of `{}`", c.id),
                        );
                    }
                    None => undefined(ctx, site.span, &name, &known),
                }
            }
        }
    }

    // Templates in variables: only other variables, without cycles.
    let var_index: HashMap<&str, usize> = vars
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.as_str(), i))
        .collect();
    let mut var_edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); vars.len()];
    let var_list: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
    for (i, v) in vars.iter().enumerate() {
        for site in &v.sites {
            for name in refs(ctx, site) {
                if let Some(&to) = var_index.get(name.as_str()) {
                    var_edges[i].push((to, site.span));
                } else if let Some((by, _)) = captured_by.get(name.as_str()) {
                    ctx.error_help(
                        site.span,
                        format!(
                            "variable `{}` uses `{name}`, which is captured at run time",
                            v.name
                        ),
                        "variables may refer only to other variables",
                        format!(
                            "use `{{{{ {name} }}}}` directly in the checks that need `{}`",
                            checks[*by].id
                        ),
                    );
                } else {
                    undefined(ctx, site.span, &name, &var_list);
                }
            }
        }
    }
    for (cycle, span) in cycles(&var_edges) {
        let path: Vec<&str> = cycle.iter().map(|&i| vars[i].name.as_str()).collect();
        ctx.error(
            span,
            format!(
                "variables refer to each other in a cycle: {}",
                path.join(" → ")
            ),
            "this reference closes the cycle",
        );
    }
}

fn undefined(ctx: &mut Ctx<'_>, span: Span, name: &str, known: &[&str]) {
    let label = match suggest(name, known.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "not a variable or a capture".to_owned(),
    };
    ctx.error_help(
        span,
        format!("undefined variable `{name}`"),
        label,
        "define it under `vars:`, or capture it in a check listed in `needs`",
    );
}
