//! The `cors:` probe with its expectations (`allowed`, `credentials`, `methods`,
//! `allow_headers`, `rejects_other_origins`).

use std::path::Path;

use serde_json::Value;

use crate::ast::{Assertion, CorsProbe, Predicate, Query};
use crate::ctx::{Ctx, get};
use crate::expect::{Target, predicates};
use crate::probe::resolve;
use crate::yaml::Node;

/// `expect:` keys handled here.
pub(crate) const EXPECT_HYGIENE: &[&str] = &[
    "allowed",
    "credentials",
    "methods",
    "allow_headers",
    "rejects_other_origins",
];

const CORS_KEYS: &[&str] = &[
    "url",
    "origin",
    "method",
    "headers",
    "disallowed_origin",
    "insecure",
    "ca_file",
];

/// The origin sent to check that it is not echoed back, unless the plan names one.
const DEFAULT_DISALLOWED: &str = "https://shipcheck-disallowed.invalid";

/// `cors: { url, origin, method, headers, disallowed_origin, insecure, ca_file }`.
pub(crate) fn cors(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<CorsProbe> {
    let entries = ctx.map(n, "cors")?;
    ctx.keys(entries, CORS_KEYS, "a cors probe");
    let (Some(url_node), Some(origin_node)) = (get(entries, "url"), get(entries, "origin")) else {
        ctx.error(
            n.span,
            "the cors probe needs `url` and `origin`",
            "add `url:` and `origin:`",
        );
        return None;
    };
    let url = ctx.template(url_node, "url")?;
    let origin = ctx.template(origin_node, "origin")?;
    let method = match get(entries, "method") {
        Some(m) => ctx.text(m, "method")?.to_ascii_uppercase(),
        None => "GET".to_owned(),
    };
    let headers = match get(entries, "headers") {
        Some(h) => {
            let items = ctx.seq(h, "headers")?;
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| ctx.text(i, "header").map(|s| s.to_ascii_lowercase()))
                .collect();
            if names.len() != items.len() {
                return None;
            }
            names
        }
        None => Vec::new(),
    };
    let disallowed_origin = match get(entries, "disallowed_origin") {
        Some(d) => ctx.template(d, "disallowed_origin")?,
        None => DEFAULT_DISALLOWED.to_owned(),
    };
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure")?,
        None => false,
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    Some(CorsProbe {
        url,
        origin,
        method,
        headers,
        disallowed_origin,
        insecure,
        ca_file,
    })
}

fn boolean(ctx: &mut Ctx<'_>, v: &Node, what: &str, query: Query, out: &mut Vec<Assertion>) {
    if let Some(b) = ctx.bool(v, what) {
        out.push(Assertion {
            query,
            predicate: Predicate::Equals(Value::Bool(b)),
            pos: v.pos(),
        });
    }
}

/// One cors expectation key.
pub(crate) fn expect(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    match key {
        "allowed" => boolean(ctx, v, key, Query::CorsAllowed, out),
        "credentials" => boolean(ctx, v, key, Query::CorsCredentials, out),
        "rejects_other_origins" => boolean(ctx, v, key, Query::CorsRejectsOthers, out),
        "methods" => predicates(ctx, v, Target::Text("methods"), &Query::CorsMethods, out),
        "allow_headers" => predicates(
            ctx,
            v,
            Target::Text("allow_headers"),
            &Query::CorsAllowHeaders,
            out,
        ),
        _ => {}
    }
}

/// A `cors` check asserts `allowed: true` and `rejects_other_origins: true` unless written.
pub(crate) fn implicit_expectations(
    probe: Option<&str>,
    expect: &mut Vec<Assertion>,
    pos: crate::ast::Pos,
) {
    if probe != Some("cors") {
        return;
    }
    for q in [Query::CorsAllowed, Query::CorsRejectsOthers] {
        if !expect.iter().any(|a| a.query == q) {
            expect.push(Assertion {
                query: q,
                predicate: Predicate::Equals(Value::Bool(true)),
                pos,
            });
        }
    }
}
