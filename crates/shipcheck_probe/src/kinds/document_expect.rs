//! The `valid` expectation document kinds share: written as a boolean, implied `true`.

use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::Select;
use shipcheck_plan::syntax::{Ctx, Node};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

/// `valid: BOOL` on `query`.
pub(crate) fn valid(ctx: &mut Ctx<'_>, v: &Node, query: Arc<dyn Select>, out: &mut Vec<Assertion>) {
    if let Some(b) = ctx.bool(v, "valid") {
        out.push(Assertion {
            query: Query::Kind(KindQuery(query)),
            predicate: Predicate::Equals(Value::Bool(b)),
            pos: v.pos(),
        });
    }
}

/// Puts `query == true` first unless the plan wrote an expectation on it.
pub(crate) fn imply_true(query: Arc<dyn Select>, expect: &mut Vec<Assertion>, pos: Pos) {
    let query = Query::Kind(KindQuery(query));
    if !expect.iter().any(|a| a.query == query) {
        expect.insert(
            0,
            Assertion {
                query,
                predicate: Predicate::Equals(Value::Bool(true)),
                pos,
            },
        );
    }
}
