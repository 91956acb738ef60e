//! `expect:` → assertions (query + predicate). A literal means `equals`; a mapping is a
//! predicate object (under `json:`, only when every key is a predicate name).

use serde_json::Value;

use crate::ast::{Assertion, Predicate, Quantity, Query, StatusPattern, Unit};
use crate::ctx::{Ctx, shown, suggest};
use crate::kind::ProbeKind;
use crate::quantity::parse_quantity;
use crate::yaml::{Kind, Node};

/// Every predicate name.
const PREDICATES: &[&str] = &[
    "equals",
    "not_equals",
    "exists",
    "regex",
    "contains",
    "one_of",
    "count",
    "length",
    "at_least",
    "at_most",
    "under",
    "over",
];

/// Predicates on a number (inside `count` and `length`).
const NUMERIC: &[&str] = &[
    "equals",
    "not_equals",
    "one_of",
    "at_least",
    "at_most",
    "under",
    "over",
];

/// What a predicate object applies to; decides which predicates and units make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An HTTP status code (codes, classes like `2xx`, lists).
    Status,
    /// A header value (text).
    Header,
    /// A JSON value (every predicate; a mapping of predicates or a literal).
    Json,
    /// A body as text.
    Body,
    /// A size in bytes.
    BodySize,
    /// A duration (bounds only).
    Duration,
    /// The number inside `count` or `length`.
    Number,
    /// A text fact of another probe (`version`, `cipher`…), named for messages.
    Text(&'static str),
    /// A fraction, named for messages: bounds written as a percentage (`0.1%`) or a
    /// number from 0 to 1; both compare as a percentage.
    Ratio(&'static str),
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Status => "status",
            Target::Header => "headers",
            Target::Json => "json",
            Target::Body => "body",
            Target::BodySize => "body_size",
            Target::Duration => "duration",
            Target::Number => "count/length",
            Target::Text(name) | Target::Ratio(name) => name,
        }
    }

    fn allowed(self) -> &'static [&'static str] {
        match self {
            Target::Status | Target::Number => NUMERIC,
            Target::Header | Target::Text(_) => &[
                "equals",
                "not_equals",
                "exists",
                "regex",
                "contains",
                "one_of",
                "length",
            ],
            Target::Json => PREDICATES,
            Target::Body => &["equals", "not_equals", "regex", "contains", "length"],
            Target::BodySize => &[
                "equals",
                "not_equals",
                "at_least",
                "at_most",
                "under",
                "over",
            ],
            Target::Duration | Target::Ratio(_) => &["at_least", "at_most", "under", "over"],
        }
    }
}

/// Build the assertions of `expect:` for a check of `kind` (when it is known). Keys are
/// checked against every kind's vocabulary, so a key of another kind says where it applies.
pub(crate) fn build(
    ctx: &mut Ctx<'_>,
    n: &Node,
    kind: Option<&'static dyn ProbeKind>,
    base_dir: &std::path::Path,
) -> Vec<Assertion> {
    let mut out = Vec::new();
    let Some(entries) = ctx.map(n, "expect") else {
        return out;
    };
    let kinds = ctx.kinds;
    let mut names: Vec<&'static str> = Vec::new();
    for name in kinds.iter().flat_map(|k| k.expect_keys().iter().copied()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    ctx.keys(entries, &names, "expect");
    let Some(kind) = kind else {
        return out;
    };
    for (k, v) in entries {
        let Some(key) = names
            .iter()
            .copied()
            .find(|name| matches!(&k.kind, Kind::Str(s) if s == name))
        else {
            continue;
        };
        if !kind.expect_keys().contains(&key) {
            let probes: Vec<&str> = kinds
                .iter()
                .filter(|k| k.expect_keys().contains(&key))
                .map(|k| k.name())
                .collect();
            ctx.error(
                k.span,
                format!("`{key}` does not apply to {} probes", kind.name()),
                format!("applies to: {}", probes.join(", ")),
            );
            continue;
        }
        match key {
            // Generic queries every kind may offer: on `Facts::json` and `Facts::duration_ms`.
            "json" => json(ctx, v, &mut out),
            "duration" => duration(ctx, v, &mut out),
            _ => kind.expect(ctx, key, v, base_dir, &mut out),
        }
    }
    out
}

/// `duration:` — bounds on the attempt's duration (any kind).
pub fn duration(ctx: &mut Ctx<'_>, v: &Node, out: &mut Vec<Assertion>) {
    predicates(ctx, v, Target::Duration, &Query::Duration, out);
}

/// `json: { "$.path": predicate, … }` — JSONPath queries on the kind's JSON document.
pub fn json(ctx: &mut Ctx<'_>, v: &Node, out: &mut Vec<Assertion>) {
    for (path_node, pv) in ctx.map(v, "json").unwrap_or_default() {
        let Some(path) = json_path(ctx, path_node) else {
            continue;
        };
        predicates(ctx, pv, Target::Json, &Query::JsonPath(path), out);
    }
}

/// A JSONPath key: it must start with `$`.
pub(crate) fn json_path(ctx: &mut Ctx<'_>, n: &Node) -> Option<String> {
    let path = ctx.text(n, "JSONPath")?;
    if !path.starts_with('$') {
        ctx.error_help(
            n.span,
            format!("{} is not a JSONPath", shown(n)),
            "a JSONPath starts with `$`",
            "e.g. `$.status`, `$.items[0].id`, `$` for the whole document",
        );
        return None;
    }
    if jsonpath_rust::parser::parse_json_path(&path).is_err() {
        let help = match bracketed(&path) {
            Some(fixed) => format!(
                "names with characters other than letters, digits and `_` need brackets: `{fixed}`"
            ),
            None => "e.g. `$.status`, `$.items[0].id`, `$.headers['X-Trace']`".to_owned(),
        };
        ctx.error_help(
            n.span,
            format!("{} is not a valid JSONPath", shown(n)),
            "invalid JSONPath (RFC 9535)",
            help,
        );
        return None;
    }
    Some(path)
}

/// `path` with every dotted name that needs brackets (`.X-Trace`) written as `['X-Trace']`,
/// when that makes it a valid JSONPath.
fn bracketed(path: &str) -> Option<String> {
    let mut out = String::with_capacity(path.len() + 8);
    let mut rest = path;
    let mut changed = false;
    while let Some(i) = rest.find('.') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(['.', '[']).unwrap_or(after.len());
        let name = &after[..end];
        let plain = |c: char| c.is_alphanumeric() || c == '_';
        if !name.is_empty() && name != "*" && !name.chars().all(plain) {
            out.push_str("['");
            out.push_str(&name.replace('\\', "\\\\").replace('\'', "\\'"));
            out.push_str("']");
            changed = true;
        } else {
            out.push('.');
            out.push_str(name);
        }
        rest = &after[end..];
        if let Some(j) = rest.find(']').filter(|_| rest.starts_with('[')) {
            out.push_str(&rest[..=j]);
            rest = &rest[j + 1..];
        }
    }
    out.push_str(rest);
    (changed && jsonpath_rust::parser::parse_json_path(&out).is_ok()).then_some(out)
}

/// How a mapping under a query is read.
enum MapKind {
    Predicates,
    Literal,
    Invalid,
}

fn map_kind(ctx: &mut Ctx<'_>, entries: &[(Node, Node)], target: Target) -> MapKind {
    let is_pred = |k: &Node| matches!(&k.kind, Kind::Str(s) if PREDICATES.contains(&s.as_str()));
    if target != Target::Json {
        return MapKind::Predicates;
    }
    let preds = entries.iter().filter(|(k, _)| is_pred(k)).count();
    if entries.is_empty() || preds == 0 {
        return MapKind::Literal;
    }
    if preds == entries.len() {
        return MapKind::Predicates;
    }
    for (k, _) in entries.iter().filter(|(k, _)| !is_pred(k)) {
        let name = k.scalar_text().unwrap_or_default();
        let label = match suggest(&name, PREDICATES.iter().copied()) {
            Some(s) => format!("not a predicate: did you mean `{s}`?"),
            None => "not a predicate".to_owned(),
        };
        ctx.error_help(
            k.span,
            format!("`{name}` mixed with predicates in one mapping"),
            label,
            "a mapping is either a predicate object or a literal; to compare with a literal object use `equals: { … }`",
        );
    }
    MapKind::Invalid
}

/// The predicates written under one query, pushed as assertions.
pub fn predicates(
    ctx: &mut Ctx<'_>,
    v: &Node,
    target: Target,
    query: &Query,
    out: &mut Vec<Assertion>,
) {
    let mut push = |predicate, n: &Node| {
        out.push(Assertion {
            query: query.clone(),
            predicate,
            pos: n.pos(),
        });
    };
    if let Kind::Map(entries) = &v.kind {
        match map_kind(ctx, entries, target) {
            MapKind::Invalid => {}
            MapKind::Literal => {
                if let Some(p) = literal(ctx, v, target) {
                    push(p, v);
                }
            }
            MapKind::Predicates => {
                for (k, pv) in entries {
                    for p in predicate(ctx, k, pv, target) {
                        push(p, pv);
                    }
                }
            }
        }
    } else if let Some(p) = literal(ctx, v, target) {
        push(p, v);
    }
}

/// A literal value (means `equals`, or a status list/class).
fn literal(ctx: &mut Ctx<'_>, v: &Node, target: Target) -> Option<Predicate> {
    match target {
        Target::Status => match &v.kind {
            Kind::Int(_) => status_code(ctx, v).map(|c| Predicate::Equals(Value::from(c))),
            Kind::Seq(items) => {
                let patterns: Vec<_> = items
                    .iter()
                    .filter_map(|i| status_pattern(ctx, i))
                    .collect();
                (patterns.len() == items.len() && !items.is_empty())
                    .then_some(Predicate::StatusIn(patterns))
            }
            _ => status_pattern(ctx, v).map(|p| Predicate::StatusIn(vec![p])),
        },
        Target::Header | Target::Body | Target::Text(_) => {
            let what = target.name();
            match &v.kind {
                Kind::Map(_) | Kind::Seq(_) | Kind::Null => {
                    ctx.expected(v, what, "a string or a predicate object");
                    None
                }
                _ => ctx
                    .text(v, what)
                    .map(|s| Predicate::Equals(Value::String(s))),
            }
        }
        Target::Json => ctx.json(v).map(Predicate::Equals),
        Target::BodySize => ctx
            .size(v, "body_size")
            .map(|b| Predicate::Equals(Value::from(b))),
        Target::Number => match &v.kind {
            Kind::Int(i) if *i >= 0 => Some(Predicate::Equals(Value::from(*i))),
            _ => {
                ctx.expected(
                    v,
                    "count/length",
                    "a non-negative integer or a predicate object",
                );
                None
            }
        },
        Target::Duration => {
            ctx.error_help(
                v.span,
                "`duration` takes a predicate object",
                format!("found {}", shown(v)),
                "e.g. `duration: { under: 200ms }`",
            );
            None
        }
        Target::Ratio(name) => {
            ctx.error_help(
                v.span,
                format!("`{name}` takes a predicate object"),
                format!("found {}", shown(v)),
                format!("e.g. `{name}: {{ under: 0.1% }}`"),
            );
            None
        }
    }
}

/// One `predicate: value` entry of a predicate object (several for `count`/`length`
/// objects, one per inner predicate).
fn predicate(ctx: &mut Ctx<'_>, k: &Node, pv: &Node, target: Target) -> Vec<Predicate> {
    let name = k.scalar_text().unwrap_or_default();
    let allowed = target.allowed();
    if !allowed.contains(&name.as_str()) {
        let (message, label) = if PREDICATES.contains(&name.as_str()) {
            (
                format!("`{name}` does not apply to `{}`", target.name()),
                "not applicable here".to_owned(),
            )
        } else {
            let label = match suggest(&name, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "unknown predicate".to_owned(),
            };
            (format!("unknown predicate `{name}`"), label)
        };
        ctx.error_help(
            k.span,
            message,
            label,
            format!("predicates for `{}`: {}", target.name(), allowed.join(", ")),
        );
        return Vec::new();
    }
    let single = |p: Option<Predicate>| p.into_iter().collect();
    match name.as_str() {
        "equals" | "not_equals" => {
            let value = match target {
                Target::Status => status_code(ctx, pv).map(Value::from),
                Target::BodySize => ctx.size(pv, &name).map(Value::from),
                Target::Number => number(ctx, pv, &name),
                _ => ctx.json(pv),
            };
            single(value.map(|v| {
                if name == "equals" {
                    Predicate::Equals(v)
                } else {
                    Predicate::NotEquals(v)
                }
            }))
        }
        "exists" => single(ctx.bool(pv, "exists").map(Predicate::Exists)),
        "regex" => single(regex(ctx, pv).map(Predicate::Regex)),
        "contains" => single(ctx.text(pv, "contains").map(Predicate::Contains)),
        "one_of" => single(one_of(ctx, pv, target)),
        "count" | "length" => {
            let inner: Vec<Predicate> = match &pv.kind {
                Kind::Map(entries) => entries
                    .iter()
                    .flat_map(|(ik, iv)| predicate(ctx, ik, iv, Target::Number))
                    .collect(),
                _ => literal(ctx, pv, Target::Number).into_iter().collect(),
            };
            let wrap = if name == "count" {
                Predicate::Count
            } else {
                Predicate::Length
            };
            inner.into_iter().map(|p| wrap(Box::new(p))).collect()
        }
        _ => single(
            quantity(ctx, pv, target, &name).map(|q| match name.as_str() {
                "at_least" => Predicate::AtLeast(q),
                "at_most" => Predicate::AtMost(q),
                "under" => Predicate::Under(q),
                _ => Predicate::Over(q),
            }),
        ),
    }
}

/// A number (for `count`/`length` equality).
fn number(ctx: &mut Ctx<'_>, n: &Node, what: &str) -> Option<Value> {
    match &n.kind {
        Kind::Int(i) => Some(Value::from(*i)),
        Kind::Float(_) => ctx.json(n),
        _ => {
            ctx.expected(n, what, "a number");
            None
        }
    }
}

/// `one_of: [..]` (status codes and classes become a status pattern list).
fn one_of(ctx: &mut Ctx<'_>, pv: &Node, target: Target) -> Option<Predicate> {
    let items = ctx.seq(pv, "one_of")?;
    if items.is_empty() {
        ctx.error(pv.span, "`one_of` needs at least one value", "empty list");
        return None;
    }
    match target {
        Target::Status => {
            let p: Vec<_> = items
                .iter()
                .filter_map(|i| status_pattern(ctx, i))
                .collect();
            (p.len() == items.len()).then_some(Predicate::StatusIn(p))
        }
        Target::Number => {
            let v: Vec<_> = items
                .iter()
                .filter_map(|i| number(ctx, i, "one_of"))
                .collect();
            (v.len() == items.len()).then_some(Predicate::OneOf(v))
        }
        _ => {
            let v: Vec<_> = items.iter().filter_map(|i| ctx.json(i)).collect();
            (v.len() == items.len()).then_some(Predicate::OneOf(v))
        }
    }
}

/// A regex source that compiles.
pub(crate) fn regex(ctx: &mut Ctx<'_>, n: &Node) -> Option<String> {
    let source = ctx.text(n, "regex")?;
    match regex::Regex::new(&source) {
        Ok(_) => Some(source),
        Err(e) => {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("invalid").trim().to_owned();
            ctx.error_help(
                n.span,
                "invalid regular expression",
                last.trim_start_matches("error: ").to_owned(),
                "the syntax is Rust's `regex` crate (no look-around or back-references); \
                 escape a literal `(`, `[`, `.` or `+` with `\\`",
            );
            None
        }
    }
}

/// A bound (`at_least`, `under`…) in the unit the target needs.
fn quantity(ctx: &mut Ctx<'_>, n: &Node, target: Target, what: &str) -> Option<Quantity> {
    let q = match &n.kind {
        Kind::Int(_) | Kind::Float(_) | Kind::Str(_) => {
            ctx.json(n).and_then(|v| parse_quantity(&v))
        }
        _ => None,
    };
    let (ok, expected) = match (target, q.map(|q| q.unit)) {
        (Target::Duration, Some(Unit::Millis)) => (true, ""),
        (Target::Duration, _) => (false, "a duration such as `200ms` or `2s`"),
        (Target::BodySize, Some(Unit::Bytes | Unit::Number)) => (true, ""),
        (Target::BodySize, _) => (false, "a size such as `256KiB` or a number of bytes"),
        (Target::Ratio(_), Some(Unit::Percent)) => (true, ""),
        (Target::Ratio(_), Some(Unit::Number))
            if q.is_some_and(|q| (0.0..=1.0).contains(&q.value)) =>
        {
            (true, "")
        }
        (Target::Ratio(_), _) => (
            false,
            "a percentage such as `0.1%` or a fraction from 0 to 1",
        ),
        (_, Some(Unit::Number)) => (true, ""),
        (_, _) => (false, "a number"),
    };
    if !ok {
        ctx.expected(n, what, expected);
        return None;
    }
    q.map(|q| match target {
        Target::BodySize => Quantity {
            value: q.value,
            unit: Unit::Bytes,
        },
        Target::Ratio(_) if q.unit == Unit::Number => Quantity {
            value: q.value * 100.0,
            unit: Unit::Percent,
        },
        _ => q,
    })
}

/// A status code (100–599).
fn status_code(ctx: &mut Ctx<'_>, n: &Node) -> Option<u16> {
    match &n.kind {
        Kind::Int(i) if (100..=599).contains(i) => u16::try_from(*i).ok(),
        _ => {
            ctx.expected(n, "status", "a status code from 100 to 599");
            None
        }
    }
}

/// A status code or class (`2xx`).
fn status_pattern(ctx: &mut Ctx<'_>, n: &Node) -> Option<StatusPattern> {
    if let Kind::Str(s) = &n.kind {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(digit) = lower.strip_suffix("xx")
            && let Ok(class @ 1..=5) = digit.parse::<u8>()
        {
            return Some(StatusPattern::Class(class));
        }
        if let Ok(code @ 100..=599) = lower.parse::<u16>() {
            return Some(StatusPattern::Code(code));
        }
        ctx.error_help(
            n.span,
            format!("{} is not a status code or class", shown(n)),
            "invalid status",
            "write a code (`200`), a class (`2xx`) or a list (`[200, 204]`)",
        );
        return None;
    }
    status_code(ctx, n).map(StatusPattern::Code)
}

#[cfg(test)]
mod tests {
    use super::bracketed;

    #[test]
    fn dotted_names_that_need_brackets_are_suggested_bracketed() {
        assert_eq!(
            bracketed("$.headers.X-Trace").as_deref(),
            Some("$.headers['X-Trace']")
        );
        assert_eq!(
            bracketed("$.a[0].b-c.d").as_deref(),
            Some("$.a[0]['b-c'].d")
        );
        assert_eq!(bracketed("$.it's-x").as_deref(), Some("$['it\\'s-x']"));
        // Nothing to bracket, or no bracketing makes it valid: no suggestion.
        assert_eq!(bracketed("$.a.b"), None);
        assert_eq!(bracketed("$.items[?(@.id =="), None);
    }
}
