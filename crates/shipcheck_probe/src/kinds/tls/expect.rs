//! The `tls` kind's `expect:` keys → assertions.

use shipcheck_plan::Assertion;
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates, shown};
use shipcheck_plan::{Predicate, Quantity, Unit};

use super::facts::TlsQuery;
use super::spec::version;
use crate::kinds::net_common::{flag, query};

/// Every `expect:` key of a `tls` check.
pub(super) const KEYS: &[&str] = &[
    "json",
    "duration",
    "valid",
    "version",
    "min_version",
    "cipher",
    "alpn",
    "issuer",
    "expires_in",
    "accepts",
];

/// One `expect:` key.
pub(super) fn build(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    match key {
        "valid" => flag(ctx, v, "valid", query(TlsQuery::Valid), out),
        "version" => text(ctx, v, "version", TlsQuery::Version, out),
        "cipher" => text(ctx, v, "cipher", TlsQuery::Cipher, out),
        "alpn" => text(ctx, v, "alpn", TlsQuery::Alpn, out),
        "issuer" => text(ctx, v, "issuer", TlsQuery::Issuer, out),
        "expires_in" => predicates(ctx, v, Target::Duration, &query(TlsQuery::ExpiresIn), out),
        "min_version" => {
            let Some(text) = ctx.text(v, "min_version") else {
                return;
            };
            match version(&text) {
                Some((_, number)) => out.push(Assertion {
                    query: query(TlsQuery::VersionNumber),
                    predicate: Predicate::AtLeast(Quantity {
                        value: number,
                        unit: Unit::Number,
                    }),
                    pos: v.pos(),
                }),
                None => version_error(ctx, v),
            }
        }
        _ => {
            for (k, b) in ctx.map(v, "accepts").unwrap_or_default() {
                let Some(text) = ctx.text(k, "version") else {
                    continue;
                };
                let Some((name, _)) = version(&text) else {
                    version_error(ctx, k);
                    continue;
                };
                if let Some(b) = ctx.bool(b, "accepts") {
                    out.push(Assertion {
                        query: query(TlsQuery::Accepts(name.to_owned())),
                        predicate: Predicate::Equals(serde_json::Value::Bool(b)),
                        pos: k.pos(),
                    });
                }
            }
        }
    }
}

/// Text predicates on a negotiated value (`key` names it in messages).
fn text(ctx: &mut Ctx<'_>, v: &Node, key: &'static str, q: TlsQuery, out: &mut Vec<Assertion>) {
    predicates(ctx, v, Target::Text(key), &query(q), out);
}

fn version_error(ctx: &mut Ctx<'_>, n: &Node) {
    ctx.error_help(
        n.span,
        format!("{} is not a TLS version", shown(n)),
        "unknown version",
        "write one of TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3",
    );
}
