//! Helpers shared by the network kinds: `HOST[:PORT]` targets and `port:` keys in plans,
//! boolean expectations, and an expectation implied unless written.

use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::Select;
use shipcheck_plan::syntax::{Ctx, Node, get};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

/// A kind's query as a plan [`Query`].
pub(super) fn query(select: impl Select + 'static) -> Query {
    Query::Kind(KindQuery(Arc::new(select)))
}

/// Checks a `HOST[:PORT]` or `scheme://HOST[:PORT]` target written without templates.
pub(super) fn target_ok(text: &str) -> bool {
    if text.contains("{{") {
        return true;
    }
    if text.contains("://") {
        return url::Url::parse(text).is_ok_and(|u| u.host_str().is_some());
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => (h, Some(p)),
        _ => (text, None),
    };
    !host.trim().is_empty()
        && !host.contains(char::is_whitespace)
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0))
}

/// The optional `port:` key (1–65535): `None` when written wrongly (the error is reported).
pub(super) fn port(ctx: &mut Ctx<'_>, entries: &[(Node, Node)]) -> Option<Option<u16>> {
    match get(entries, "port") {
        Some(p) => match ctx.uint(p, "port", 65535)? {
            0 => {
                ctx.error(p.span, "`port` must be from 1 to 65535", "zero");
                None
            }
            x => Some(Some(x as u16)),
        },
        None => Some(None),
    }
}

/// `key: true|false` → one assertion that the query equals it.
pub(super) fn flag(ctx: &mut Ctx<'_>, v: &Node, what: &str, q: Query, out: &mut Vec<Assertion>) {
    if let Some(b) = ctx.bool(v, what) {
        out.push(Assertion {
            query: q,
            predicate: Predicate::Equals(Value::Bool(b)),
            pos: v.pos(),
        });
    }
}

/// `q` equals `true`, unless the plan wrote an expectation on `q` itself.
pub(super) fn implied_true(q: Query, written: &[Assertion], pos: Pos) -> Vec<Assertion> {
    if written.iter().any(|a| a.query == q) {
        return Vec::new();
    }
    vec![Assertion {
        query: q,
        predicate: Predicate::Equals(Value::Bool(true)),
        pos,
    }]
}

#[cfg(test)]
mod tests {
    use super::target_ok;

    #[test]
    fn targets_are_host_port_or_url() {
        assert!(target_ok("example.com"));
        assert!(target_ok("127.0.0.1:8443"));
        assert!(target_ok("https://localhost:8443"));
        assert!(target_ok("{{ api_tls }}"));
        assert!(!target_ok("example.com:0"));
        assert!(!target_ok("example.com:http"));
        assert!(!target_ok("two words"));
    }
}
