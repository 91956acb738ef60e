//! Probes that fetch a document and inspect it: `metrics:` (Prometheus / OpenMetrics text)
//! and `openapi:` (an OpenAPI 3.x document), with their expectations (`valid`, `series`,
//! `operations`).

use std::path::Path;

use serde_json::Value;

use crate::ast::{Assertion, FetchProbe, Predicate, Query};
use crate::ctx::{Ctx, get, shown};
use crate::expect::{Target, predicates};
use crate::probe::{pairs, resolve};
use crate::yaml::{Kind, Node};

const KEYS: &[&str] = &["url", "headers", "insecure", "ca_file", "max_body"];

/// `expect:` keys handled here.
pub(crate) const EXPECT_DOCS: &[&str] = &["valid", "series", "operations"];

/// Default and largest `max_body`.
const DEFAULT_MAX_BODY: u64 = 4 * 1024 * 1024;
const MAX_MAX_BODY: u64 = 64 * 1024 * 1024;

/// `metrics: URL` / `openapi: URL`, or `{ url, headers, insecure, ca_file, max_body }`.
pub(crate) fn fetch(
    ctx: &mut Ctx<'_>,
    n: &Node,
    base_dir: &Path,
    kind: &str,
) -> Option<FetchProbe> {
    let (url_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, &format!("a {kind} probe"));
            let Some(u) = get(entries, "url") else {
                ctx.error(
                    n.span,
                    format!("the {kind} probe has no `url`"),
                    "add `url: …`",
                );
                return None;
            };
            (u, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let url = ctx.template(url_node, "url")?;
    let lower = url.to_ascii_lowercase();
    if !url.contains("{{") && !lower.starts_with("http://") && !lower.starts_with("https://") {
        ctx.error(
            url_node.span,
            "the URL must start with `http://` or `https://`",
            format!("found {}", shown(url_node)),
        );
        return None;
    }
    let headers = get(entries, "headers")
        .map(|h| pairs(ctx, h, "headers", true))
        .unwrap_or_default();
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure")?,
        None => false,
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    let max_body = match get(entries, "max_body") {
        Some(v) => ctx.bounded_size(v, "max_body", MAX_MAX_BODY, "64MiB")?,
        None => DEFAULT_MAX_BODY,
    };
    Some(FetchProbe {
        url,
        headers,
        insecure,
        ca_file,
        max_body,
    })
}

/// Whether `sel` is a series selector: `name` or `name{label="v",other!="w"}`.
pub(crate) fn valid_selector(sel: &str) -> bool {
    parse_selector(sel).is_some()
}

/// A label matcher of a series selector: `(label, value, equal)` (`false` for `!=`).
pub type LabelMatcher = (String, String, bool);

/// A selector's metric name and label matchers.
pub fn parse_selector(sel: &str) -> Option<(String, Vec<LabelMatcher>)> {
    let sel = sel.trim();
    let (name, rest) = match sel.find('{') {
        Some(i) => (&sel[..i], Some(&sel[i..])),
        None => (sel, None),
    };
    let name_ok = name.chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
    });
    if name.is_empty() || !name_ok {
        return None;
    }
    let mut matchers = Vec::new();
    if let Some(rest) = rest {
        let inner = rest.strip_prefix('{')?.strip_suffix('}')?;
        for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (label, value, equal) = if let Some((l, v)) = part.split_once("!=") {
                (l, v, false)
            } else {
                let (l, v) = part.split_once('=')?;
                (l, v, true)
            };
            let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
            let label = label.trim();
            if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            matchers.push((label.to_owned(), value.to_owned(), equal));
        }
    }
    Some((name.to_owned(), matchers))
}

/// `series: { SELECTOR: predicate }` and `operations: [ID | "METHOD /path", …]`.
pub(crate) fn expect(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    if key == "valid" {
        if let Some(b) = ctx.bool(v, "valid") {
            out.push(Assertion {
                query: Query::DocValid,
                predicate: Predicate::Equals(Value::Bool(b)),
                pos: v.pos(),
            });
        }
        return;
    }
    if key == "series" {
        for (k, pv) in ctx.map(v, "series").unwrap_or_default() {
            let Some(sel) = ctx.text(k, "series selector") else {
                continue;
            };
            if !valid_selector(&sel) {
                ctx.error_help(
                    k.span,
                    format!("{} is not a series selector", shown(k)),
                    "invalid selector",
                    "write `name` or `name{label=\"value\", other!=\"value\"}`",
                );
                continue;
            }
            predicates(ctx, pv, Target::Json, &Query::Series(sel), out);
        }
        return;
    }
    for item in ctx.seq(v, "operations").unwrap_or_default() {
        if let Some(op) = ctx.text(item, "operation") {
            out.push(Assertion {
                query: Query::Operation(op),
                predicate: Predicate::Exists(true),
                pos: item.pos(),
            });
        }
    }
}

/// `metrics` and `openapi` checks assert `valid: true` unless they say otherwise.
pub(crate) fn implicit_expectations(
    probe: Option<&str>,
    expect: &mut Vec<Assertion>,
    pos: crate::ast::Pos,
) {
    if !matches!(probe, Some("metrics" | "openapi")) {
        return;
    }
    if !expect.iter().any(|a| a.query == Query::DocValid) {
        expect.insert(
            0,
            Assertion {
                query: Query::DocValid,
                predicate: Predicate::Equals(Value::Bool(true)),
                pos,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_names_and_matchers() {
        assert_eq!(
            parse_selector("http_requests_total{method=\"GET\", code!=\"500\"}"),
            Some((
                "http_requests_total".into(),
                vec![
                    ("method".into(), "GET".into(), true),
                    ("code".into(), "500".into(), false)
                ]
            ))
        );
        assert_eq!(parse_selector("up"), Some(("up".into(), vec![])));
        assert!(parse_selector("1up").is_none());
        assert!(parse_selector("up{method=GET}").is_none());
        assert!(parse_selector("up{").is_none());
    }
}
