//! `capture:` — `name: "$.path"` or `name: { jsonpath | header | regex, group, secret }`.

use crate::ast::{Capture, CaptureSource};
use crate::ctx::{Ctx, get};
use crate::expect::{json_path, regex};
use crate::template::is_identifier;
use crate::yaml::{Kind, Node};

pub(crate) const CAPTURE_KEYS: &[&str] = &["jsonpath", "header", "regex", "group", "secret"];
const SOURCES: &[&str] = &["jsonpath", "header", "regex"];

/// Build the captures of one check; `(capture, span of its name)`.
pub(crate) fn build(ctx: &mut Ctx<'_>, n: &Node) -> Vec<(Capture, crate::error::Span)> {
    let mut out = Vec::new();
    let Some(entries) = ctx.map(n, "capture") else {
        return out;
    };
    for (k, v) in entries {
        let Some(name) = ctx.text(k, "capture name") else {
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
        if let Some((source, secret)) = source(ctx, v, &name) {
            out.push((
                Capture {
                    name,
                    source,
                    secret,
                    pos: k.pos(),
                },
                k.span,
            ));
        }
    }
    out
}

/// The source of one capture and its `secret` flag.
fn source(ctx: &mut Ctx<'_>, v: &Node, name: &str) -> Option<(CaptureSource, bool)> {
    let Kind::Map(entries) = &v.kind else {
        return json_path(ctx, v).map(|p| (CaptureSource::JsonPath(p), false));
    };
    ctx.keys(entries, CAPTURE_KEYS, &format!("capture `{name}`"));
    let sources: Vec<_> = entries
        .iter()
        .filter(|(k, _)| matches!(&k.kind, Kind::Str(s) if SOURCES.contains(&s.as_str())))
        .collect();
    let secret = match get(entries, "secret") {
        Some(s) => ctx.bool(s, "secret")?,
        None => false,
    };
    let group = get(entries, "group");
    let Some((kind, value)) = sources.first() else {
        ctx.error(
            v.span,
            format!("capture `{name}` has no source"),
            "add one of `jsonpath`, `header`, `regex`",
        );
        return None;
    };
    for (k, _) in sources.iter().skip(1) {
        ctx.error(
            k.span,
            format!("capture `{name}` has several sources"),
            "use one of `jsonpath`, `header`, `regex`",
        );
    }
    if sources.len() > 1 {
        return None;
    }
    let kind = kind.scalar_text().unwrap_or_default();
    if kind != "regex"
        && let Some(g) = group
    {
        ctx.error(
            g.span,
            "`group` applies to `regex` captures only",
            "not a regex capture",
        );
        return None;
    }
    let source = match kind.as_str() {
        "jsonpath" => CaptureSource::JsonPath(json_path(ctx, value)?),
        "header" => CaptureSource::Header(ctx.text(value, "header")?.to_ascii_lowercase()),
        _ => {
            let pattern = regex(ctx, value)?;
            let groups = regex::Regex::new(&pattern)
                .map(|r| r.captures_len() - 1)
                .unwrap_or(0);
            let group = match group {
                Some(g) => {
                    let index = ctx.uint(g, "group", 1000)? as usize;
                    if index > groups {
                        ctx.error(
                            g.span,
                            format!("the regex has {groups} capture group(s)"),
                            format!("no group {index}"),
                        );
                        return None;
                    }
                    index
                }
                None => usize::from(groups > 0),
            };
            CaptureSource::Regex { pattern, group }
        }
    };
    Some((source, secret))
}
