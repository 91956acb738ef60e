//! The `redis` kind's `expect:` keys → assertions.

use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::syntax::{Ctx, Kind, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Predicate, Query};

use super::facts::{KeyAspect, RedisQuery};

/// Every `expect:` key of a `redis` check.
pub(super) const KEYS: &[&str] = &["duration", "server_version", "ping", "info", "keys"];

fn q(query: RedisQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(query)))
}

/// One `expect:` key.
pub(super) fn build(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    match key {
        "ping" => predicates(ctx, v, Target::Duration, &q(RedisQuery::Ping), out),
        "server_version" => predicates(ctx, v, Target::Json, &q(RedisQuery::ServerVersion), out),
        "info" => {
            for (field, pv) in ctx.map(v, "info").unwrap_or_default() {
                if let Some(name) = ctx.text(field, "INFO field") {
                    predicates(ctx, pv, Target::Json, &q(RedisQuery::Info(name)), out);
                }
            }
        }
        _ => {
            for (name, spec) in ctx.map(v, "keys").unwrap_or_default() {
                let Some(name) = ctx.text(name, "key name") else {
                    continue;
                };
                redis_key(ctx, &name, spec, out);
            }
        }
    }
}

/// `keys: { NAME: { exists, type, ttl, length } }`.
fn redis_key(ctx: &mut Ctx<'_>, name: &str, spec: &Node, out: &mut Vec<Assertion>) {
    let Some(entries) = ctx.map(spec, "key") else {
        return;
    };
    ctx.keys(entries, &["exists", "type", "ttl", "length"], "a key");
    for (k, v) in entries {
        let key = |aspect| q(RedisQuery::Key(name.to_owned(), aspect));
        match k.scalar_text().as_deref() {
            Some("exists") => {
                if let Some(b) = ctx.bool(v, "exists") {
                    out.push(Assertion {
                        query: key(KeyAspect::Exists),
                        predicate: Predicate::Exists(b),
                        pos: v.pos(),
                    });
                }
            }
            Some("type") => {
                if let Some(t) = ctx.text(v, "type") {
                    out.push(Assertion {
                        query: key(KeyAspect::Type),
                        predicate: Predicate::Equals(Value::String(t)),
                        pos: v.pos(),
                    });
                }
            }
            Some("ttl") => match v.kind {
                // `-1` (no expiry) and `-2` (absent) are meaningful literals here.
                Kind::Int(i) => out.push(Assertion {
                    query: key(KeyAspect::Ttl),
                    predicate: Predicate::Equals(Value::from(i)),
                    pos: v.pos(),
                }),
                _ => predicates(ctx, v, Target::Number, &key(KeyAspect::Ttl), out),
            },
            Some("length") => predicates(ctx, v, Target::Number, &key(KeyAspect::Length), out),
            _ => {}
        }
    }
}
