//! Generic evaluation of `http` expectations on a recorded exchange.

use std::sync::Arc;

use serde_json::json;
use shipcheck_plan::{Assertion, KindQuery, Predicate, Query};
use shipcheck_report::AssertionResult;

use super::facts::{HttpFacts, HttpQuery};
use crate::evaluate;
use shipcheck_http::{Exchange, Hop, RequestRecord, ResponseRecord, Timings};
use shipcheck_plan::{Pos, Quantity};

fn http(status: u16, headers: &[(&str, &str)], body: &str) -> HttpFacts {
    HttpFacts::new(Exchange {
        hops: vec![Hop {
            request: RequestRecord {
                method: "GET".into(),
                url: "http://127.0.0.1/".into(),
                headers: vec![],
                body: bytes::Bytes::new(),
            },
            response: ResponseRecord {
                status,
                version: "HTTP/1.1".into(),
                headers: headers
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
                body: bytes::Bytes::from(body.to_owned()),
                body_truncated: false,
                body_bytes_read: body.len() as u64,
                ..ResponseRecord::default()
            },
            timings: Timings {
                dns_ms: None,
                connect_ms: Some(0.2),
                tls_ms: None,
                first_byte_ms: Some(1.0),
                total_ms: 150.0,
            },
            remote_addr: None,
            tls: None,
            ..Hop::default()
        }],
    })
}

fn check(query: Query, predicate: Predicate, obs: &HttpFacts) -> AssertionResult {
    evaluate(
        &[Assertion {
            query,
            predicate,
            pos: Pos::default(),
        }],
        obs,
    )
    .remove(0)
}

fn q(query: HttpQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(query)))
}

const BODY: &str = r#"{"status":"ok","items":[{"id":1},{"id":2}],"n":3}"#;

#[test]
fn jsonpath_predicates_need_exactly_one_match_except_exists_and_count() {
    let obs = http(200, &[], BODY);
    let jp = |p: &str| Query::JsonPath(p.into());
    assert!(check(jp("$.status"), Predicate::Equals(json!("ok")), &obs).passed);
    let many = check(jp("$.items[*].id"), Predicate::Equals(json!(1)), &obs);
    assert!(!many.passed);
    assert!(many.actual.starts_with("2 matches"), "{}", many.actual);
    let count = check(
        jp("$.items[*].id"),
        Predicate::Count(Box::new(Predicate::Equals(json!(2)))),
        &obs,
    );
    assert!(count.passed && count.actual == "2");
    assert!(check(jp("$.missing"), Predicate::Exists(false), &obs).passed);
    let none = check(jp("$.missing"), Predicate::Equals(json!(1)), &obs);
    assert_eq!((none.passed, none.actual.as_str()), (false, "no match"));
    let len = Predicate::Length(Box::new(Predicate::AtLeast(Quantity {
        value: 2.0,
        unit: shipcheck_plan::Unit::Number,
    })));
    assert!(check(jp("$.items"), len, &obs).passed);
}

#[test]
fn non_json_bodies_fail_with_the_reason_not_a_panic() {
    let r = check(
        Query::JsonPath("$.a".into()),
        Predicate::Exists(true),
        &http(200, &[], "<html>"),
    );
    assert!(!r.passed);
    assert!(r.actual.starts_with("body is not JSON"), "{}", r.actual);
}

#[test]
fn status_headers_body_and_duration() {
    let obs = http(503, &[("Content-Type", "application/json")], BODY);
    let r = check(q(HttpQuery::Status), Predicate::Equals(json!(200)), &obs);
    assert_eq!(
        (r.passed, r.expected.as_str(), r.actual.as_str()),
        (false, "200", "503")
    );
    assert!(
        check(
            q(HttpQuery::Header("content-type".into())),
            Predicate::Regex("^application/json".into()),
            &obs
        )
        .passed
    );
    assert!(
        !check(
            q(HttpQuery::Header("x-absent".into())),
            Predicate::Exists(true),
            &obs
        )
        .passed
    );
    assert!(
        check(
            q(HttpQuery::Body),
            Predicate::Contains("\"n\":3".into()),
            &obs
        )
        .passed
    );
    let budget = Predicate::Under(Quantity {
        value: 100.0,
        unit: shipcheck_plan::Unit::Millis,
    });
    let d = check(Query::Duration, budget, &obs);
    assert_eq!(
        (d.passed, d.actual.as_str(), d.expected.as_str()),
        (false, "150ms", "< 100ms")
    );
}
