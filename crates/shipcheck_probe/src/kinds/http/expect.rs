//! The `http` kind's `expect:` keys → assertions.

use serde_json::Value;
use shipcheck_plan::syntax::{Ctx, Kind, Node, Target, get, predicates, shown};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query, StatusPattern};

use super::facts::HttpQuery;

/// Every `expect:` key of an `http` check.
pub(super) const KEYS: &[&str] = &[
    "status",
    "headers",
    "json",
    "body",
    "body_size",
    "duration",
    "hsts",
    "https_redirect",
    "cookies",
    "security_headers",
    "redirects",
    "final_url",
    "error",
    "latency",
];

/// What `error:` may expect: the failure classes of a request that got no response.
const ERROR_CLASSES: &[&str] = &["timeout", "connect", "dns", "tls", "protocol"];

fn q(query: HttpQuery) -> Query {
    Query::Kind(KindQuery(std::sync::Arc::new(query)))
}

fn boolean(ctx: &mut Ctx<'_>, v: &Node, what: &str, query: HttpQuery, out: &mut Vec<Assertion>) {
    if let Some(b) = ctx.bool(v, what) {
        out.push(Assertion {
            query: q(query),
            predicate: Predicate::Equals(Value::Bool(b)),
            pos: v.pos(),
        });
    }
}

/// Whether `a` already says which status is acceptable (so `status: 2xx` is not implied).
pub(crate) fn implies_status(a: &Assertion) -> bool {
    let Query::Kind(k) = &a.query else {
        return false;
    };
    let any: &dyn std::any::Any = k.0.as_ref();
    matches!(
        any.downcast_ref::<HttpQuery>(),
        Some(HttpQuery::Status | HttpQuery::HttpsRedirect(_) | HttpQuery::Error)
    )
}

/// Whether `a` is an `error:` expectation.
pub(super) fn is_error(a: &Assertion) -> bool {
    let Query::Kind(k) = &a.query else {
        return false;
    };
    let any: &dyn std::any::Any = k.0.as_ref();
    matches!(any.downcast_ref::<HttpQuery>(), Some(HttpQuery::Error))
}

/// `status: 2xx`, implied at the check's position.
pub(crate) fn implied_status(pos: Pos) -> Assertion {
    Assertion {
        query: q(HttpQuery::Status),
        predicate: Predicate::StatusIn(vec![StatusPattern::Class(2)]),
        pos,
    }
}

/// One `expect:` key.
pub(crate) fn build(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    match key {
        "status" => predicates(ctx, v, Target::Status, &q(HttpQuery::Status), out),
        "body" => predicates(ctx, v, Target::Body, &q(HttpQuery::Body), out),
        "body_size" => predicates(ctx, v, Target::BodySize, &q(HttpQuery::BodySize), out),
        "headers" => {
            for (name_node, pv) in ctx.map(v, "headers").unwrap_or_default() {
                let Some(name) = ctx.text(name_node, "header name") else {
                    continue;
                };
                let query = q(HttpQuery::Header(name.to_ascii_lowercase()));
                predicates(ctx, pv, Target::Header, &query, out);
            }
        }
        "security_headers" => boolean(ctx, v, key, HttpQuery::SecurityHeaders, out),
        "redirects" => predicates(ctx, v, Target::Number, &q(HttpQuery::Redirects), out),
        "final_url" => predicates(
            ctx,
            v,
            Target::Text("final_url"),
            &q(HttpQuery::FinalUrl),
            out,
        ),
        "error" => error(ctx, v, out),
        "latency" => latency(ctx, v, out),
        "https_redirect" => match &v.kind {
            Kind::Map(entries) => {
                ctx.keys(entries, &["port"], "https_redirect");
                let port = match get(entries, "port") {
                    Some(p) => ctx.uint(p, "port", 65535).map(|p| p as u16),
                    None => None,
                };
                out.push(Assertion {
                    query: q(HttpQuery::HttpsRedirect(port)),
                    predicate: Predicate::Equals(Value::Bool(true)),
                    pos: v.pos(),
                });
            }
            _ => boolean(ctx, v, key, HttpQuery::HttpsRedirect(None), out),
        },
        "hsts" => {
            let Some(entries) = ctx.map(v, "hsts") else {
                return;
            };
            ctx.keys(entries, &["max_age", "include_subdomains"], "hsts");
            if let Some(m) = get(entries, "max_age") {
                predicates(ctx, m, Target::Number, &q(HttpQuery::HstsMaxAge), out);
            }
            if let Some(i) = get(entries, "include_subdomains") {
                boolean(
                    ctx,
                    i,
                    "include_subdomains",
                    HttpQuery::HstsIncludeSubdomains,
                    out,
                );
            }
        }
        _ => cookies(ctx, v, out),
    }
}

/// `cookies: { NAME | "*": { secure, http_only, same_site } }`.
fn cookies(ctx: &mut Ctx<'_>, v: &Node, out: &mut Vec<Assertion>) {
    for (name_node, attrs) in ctx.map(v, "cookies").unwrap_or_default() {
        let Some(name) = ctx.text(name_node, "cookie name") else {
            continue;
        };
        let Some(entries) = ctx.map(attrs, "cookie flags") else {
            continue;
        };
        ctx.keys(
            entries,
            &["secure", "http_only", "same_site"],
            "cookie flags",
        );
        for (k, fv) in entries {
            let Some(attr) = k.scalar_text() else {
                continue;
            };
            let query = HttpQuery::CookieAttr(name.clone(), attr.clone());
            match attr.as_str() {
                "secure" | "http_only" => boolean(ctx, fv, &attr, query, out),
                "same_site" if name == "*" => ctx.error_help(
                    fv.span,
                    "`same_site` needs a cookie name",
                    "not for `*`",
                    "name the cookie: `cookies: { session: { same_site: Lax } }`",
                ),
                "same_site" => {
                    let allowed: Vec<Value> = match &fv.kind {
                        Kind::Seq(items) => items
                            .iter()
                            .filter_map(|i| ctx.text(i, "same_site").map(Value::String))
                            .collect(),
                        _ => ctx
                            .text(fv, "same_site")
                            .map(Value::String)
                            .into_iter()
                            .collect(),
                    };
                    let ok = allowed
                        .iter()
                        .all(|a| matches!(a.as_str(), Some("Strict" | "Lax" | "None")));
                    if !ok || allowed.is_empty() {
                        ctx.error_help(
                            fv.span,
                            format!("{} is not a SameSite value", shown(fv)),
                            "invalid SameSite",
                            "use `Strict`, `Lax` or `None` (or a list of them)",
                        );
                        continue;
                    }
                    out.push(Assertion {
                        query: q(query),
                        predicate: Predicate::OneOf(allowed),
                        pos: fv.pos(),
                    });
                }
                _ => {}
            }
        }
    }
}

/// `error: timeout` (or `connect`, `dns`, `tls`, `protocol`): the request must get no
/// response, failing this way.
fn error(ctx: &mut Ctx<'_>, v: &Node, out: &mut Vec<Assertion>) {
    let Some(class) = ctx.text(v, "error") else {
        return;
    };
    if !ERROR_CLASSES.contains(&class.as_str()) {
        ctx.error_help(
            v.span,
            format!("{} is not an error an http check can expect", shown(v)),
            "unknown error class",
            "use one of `timeout`, `connect`, `dns`, `tls`, `protocol`",
        );
        return;
    }
    out.push(Assertion {
        query: q(HttpQuery::Error),
        predicate: Predicate::Equals(Value::String(class)),
        pos: v.pos(),
    });
}

/// `latency: { p50: { under: 200ms }, p95: …, max: … }` on a sampled check.
fn latency(ctx: &mut Ctx<'_>, v: &Node, out: &mut Vec<Assertion>) {
    let Some(entries) = ctx.map(v, "latency") else {
        return;
    };
    ctx.keys(entries, &["p50", "p95", "max"], "latency");
    for (k, bound) in entries {
        let which = match k.scalar_text().as_deref() {
            Some("p50") => "p50",
            Some("p95") => "p95",
            Some("max") => "max",
            _ => continue,
        };
        predicates(
            ctx,
            bound,
            Target::Duration,
            &q(HttpQuery::Latency(which)),
            out,
        );
    }
}
