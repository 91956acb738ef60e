//! The `cors:` probe with its expectations (`allowed`, `credentials`, `methods`,
//! `allow_headers`, `rejects_other_origins`).

use std::path::{Path, PathBuf};

use serde_json::Value;
use shipcheck_plan::syntax::{Ctx, Node, Target, get, predicates, resolve};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

use super::facts::CorsQuery;

/// `expect:` keys of a `cors` check.
pub(super) const EXPECT: &[&str] = &[
    "duration",
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
/// `cors:` — a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-*`).
#[derive(Debug, Clone)]
pub struct CorsProbe {
    /// URL template.
    pub url: String,
    /// The origin that should be allowed.
    pub origin: String,
    /// `Access-Control-Request-Method` (default `GET`).
    pub method: String,
    /// `Access-Control-Request-Headers`.
    pub headers: Vec<String>,
    /// An origin that must not be echoed back.
    pub disallowed_origin: String,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
}

pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<CorsProbe> {
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

fn q(query: CorsQuery) -> Query {
    Query::Kind(KindQuery(std::sync::Arc::new(query)))
}

fn boolean(ctx: &mut Ctx<'_>, v: &Node, what: &str, query: CorsQuery, out: &mut Vec<Assertion>) {
    if let Some(b) = ctx.bool(v, what) {
        out.push(Assertion {
            query: q(query),
            predicate: Predicate::Equals(Value::Bool(b)),
            pos: v.pos(),
        });
    }
}

/// One cors expectation key.
pub(super) fn expect(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    match key {
        "allowed" => boolean(ctx, v, key, CorsQuery::Allowed, out),
        "credentials" => boolean(ctx, v, key, CorsQuery::Credentials, out),
        "rejects_other_origins" => boolean(ctx, v, key, CorsQuery::RejectsOthers, out),
        "methods" => predicates(ctx, v, Target::Text("methods"), &q(CorsQuery::Methods), out),
        "allow_headers" => predicates(
            ctx,
            v,
            Target::Text("allow_headers"),
            &q(CorsQuery::AllowHeaders),
            out,
        ),
        _ => {}
    }
}

/// A `cors` check asserts `allowed: true` and `rejects_other_origins: true` unless written.
pub(super) fn implied(expect: &mut Vec<Assertion>, pos: Pos) {
    for query in [CorsQuery::Allowed, CorsQuery::RejectsOthers] {
        let query = q(query);
        if !expect.iter().any(|a| a.query == query) {
            expect.push(Assertion {
                query,
                predicate: Predicate::Equals(Value::Bool(true)),
                pos,
            });
        }
    }
}
