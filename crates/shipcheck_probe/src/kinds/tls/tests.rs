//! Plan-side spellings and generic evaluation of `tls` expectations on recorded facts.

use std::collections::BTreeMap;

use serde_json::json;
use shipcheck_plan::{Assertion, Pos, Predicate, Quantity, Unit};
use shipcheck_report::AssertionResult;

use super::facts::{CertFacts, TlsFacts, TlsQuery};
use super::spec::version;
use crate::evaluate;
use crate::kinds::net_common::query;

#[test]
fn versions_are_read_in_several_spellings() {
    assert_eq!(version("TLSv1.2").map(|v| v.0), Some("TLSv1.2"));
    assert_eq!(version("1.3").map(|v| v.0), Some("TLSv1.3"));
    assert_eq!(version("tls1").map(|v| v.0), Some("TLSv1.0"));
    assert_eq!(version("TLSv1.0").map(|v| v.1), Some(1.0));
    assert!(version("SSLv3").is_none());
}

fn facts() -> TlsFacts {
    TlsFacts {
        target: "127.0.0.1:443".into(),
        version: "TLSv1.2".into(),
        cipher: "TLS13_AES_128_GCM_SHA256".into(),
        chain: vec![CertFacts {
            subject: "CN=leaf".into(),
            issuer: "CN=test CA".into(),
            not_after_unix: 0,
            ..CertFacts::default()
        }],
        problem: Some("expired: CN=leaf expired on 1970-01-01T00:00:00Z".into()),
        accepts: BTreeMap::from([("TLSv1.0".to_owned(), Ok(false))]),
        ..TlsFacts::default()
    }
}

fn check(q: TlsQuery, predicate: Predicate) -> AssertionResult {
    let a = Assertion {
        query: query(q),
        predicate,
        pos: Pos::default(),
    };
    evaluate(&[a], &facts()).remove(0)
}

#[test]
fn validity_versions_and_expiry_read_the_facts_with_notes() {
    let valid = check(TlsQuery::Valid, Predicate::Equals(json!(true)));
    assert_eq!(valid.subject, "certificate valid");
    assert!(!valid.passed);
    assert!(
        valid.actual.starts_with("false (expired: CN=leaf"),
        "{}",
        valid.actual
    );
    let min = Predicate::AtLeast(Quantity {
        value: 1.3,
        unit: Unit::Number,
    });
    let v = check(TlsQuery::VersionNumber, min);
    assert_eq!((v.passed, v.actual.as_str()), (false, "1.2"));
    let exp = check(
        TlsQuery::ExpiresIn,
        Predicate::AtLeast(Quantity {
            value: 1.0,
            unit: Unit::Millis,
        }),
    );
    assert!(
        !exp.passed && exp.actual.contains("days, CN=leaf on"),
        "{}",
        exp.actual
    );
    assert!(
        check(
            TlsQuery::Accepts("TLSv1.0".into()),
            Predicate::Equals(json!(false))
        )
        .passed
    );
    let unasked = check(
        TlsQuery::Accepts("TLSv1.3".into()),
        Predicate::Equals(json!(false)),
    );
    assert_eq!(unasked.actual, "TLSv1.3 was not asked");
    let alpn = check(TlsQuery::Alpn, Predicate::Equals(json!("h2")));
    assert_eq!((alpn.passed, alpn.actual.as_str()), (false, "no match"));
}
