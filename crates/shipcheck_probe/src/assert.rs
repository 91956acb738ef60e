//! Generic evaluation of assertions (query + predicate) on an observation.

use jsonpath_rust::JsonPath as _;
use serde_json::Value;
use shipcheck_plan::{Assertion, LintLevel, Predicate, Query, Unit};
use shipcheck_report::AssertionResult;

use crate::observation::Observation;
use crate::value::{describe, holds, length, shorten, text, trim_float};

/// Evaluates every assertion on the observation; each result keeps expected and actual.
pub fn evaluate(assertions: &[Assertion], obs: &Observation) -> Vec<AssertionResult> {
    assertions.iter().map(|a| evaluate_one(a, obs)).collect()
}

fn subject(q: &Query) -> String {
    match q {
        Query::Status => "status".into(),
        Query::Header(h) => format!("header {h}"),
        Query::JsonPath(p) => format!("json {p}"),
        Query::Body => "body".into(),
        Query::BodySize => "body_size".into(),
        Query::Duration => "duration".into(),
        Query::Columns(t) => format!("columns of {t}"),
        Query::Table(t) => format!("table {t}"),
        Query::Findings(level) => format!(
            "lint findings at or above {}",
            match level {
                LintLevel::Info => "info",
                LintLevel::Warning => "warning",
                LintLevel::Error => "error",
            }
        ),
        other => {
            crate::assert_net::subject(other).unwrap_or_else(|| crate::db_assert::subject(other))
        }
    }
}

fn evaluate_one(a: &Assertion, obs: &Observation) -> AssertionResult {
    let (predicate, expected) = describe(&a.predicate);
    let mut result = AssertionResult {
        subject: subject(&a.query),
        predicate,
        expected,
        actual: String::new(),
        passed: false,
    };
    if crate::db_assert::special(a, obs, &mut result) {
        return result;
    }
    let (matches, unit) = match select(&a.query, obs) {
        Ok(m) => m,
        Err(msg) => {
            result.actual = msg;
            return result;
        }
    };
    match &a.predicate {
        Predicate::Exists(want) => {
            result.passed = matches.is_empty() != *want;
            result.actual = if matches.is_empty() {
                "no match".into()
            } else {
                shown(&matches)
            };
        }
        Predicate::Count(inner) => {
            let n = Value::from(matches.len());
            result.passed = holds(inner, &n, Unit::Number);
            result.actual = matches.len().to_string();
        }
        p => match matches.as_slice() {
            [] => result.actual = "no match".into(),
            [one] => {
                result.passed = holds(p, one, unit);
                result.actual = match p {
                    Predicate::Length(_) => length(one).map_or_else(
                        || format!("{} (has no length)", shorten(text(one))),
                        |n| n.to_string(),
                    ),
                    _ => match one {
                        Value::Number(n) if n.is_f64() => {
                            n.as_f64().map_or_else(|| text(one), trim_float)
                        }
                        _ => shorten(text(one)),
                    },
                };
                if unit == Unit::Millis {
                    result.actual.push_str("ms");
                } else if unit == Unit::Bytes {
                    result.actual.push_str(" B");
                }
            }
            many => {
                result.actual = format!(
                    "{} matches (the predicate needs exactly one): {}",
                    many.len(),
                    shown(many)
                );
            }
        },
    }
    if let Some(note) = crate::assert_net::note(&a.query, obs) {
        result.actual = format!("{} ({note})", result.actual);
    }
    result
}

fn shown(values: &[Value]) -> String {
    if values.len() == 1 {
        return shorten(text(&values[0]));
    }
    shorten(Value::Array(values.to_vec()).to_string())
}

/// The values a query selects and their unit; `Err` says why there is nothing to select.
fn select(q: &Query, obs: &Observation) -> Result<(Vec<Value>, Unit), String> {
    match obs {
        Observation::Http(ex) => {
            let Some(hop) = ex.hops.last() else {
                return Err("no response".into());
            };
            let resp = &hop.response;
            match q {
                Query::Status => Ok((vec![Value::from(resp.status)], Unit::Number)),
                Query::Header(name) => {
                    let values: Vec<&str> = resp
                        .headers
                        .iter()
                        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.as_str())
                        .collect();
                    Ok((
                        if values.is_empty() {
                            vec![]
                        } else {
                            vec![Value::String(values.join(", "))]
                        },
                        Unit::Number,
                    ))
                }
                Query::JsonPath(path) => {
                    if resp.body_truncated {
                        return Err(format!(
                            "body was cut at {} bytes (max_body), so it cannot be read as JSON",
                            resp.body.len()
                        ));
                    }
                    let json: Value = serde_json::from_slice(&resp.body).map_err(|e| {
                        format!(
                            "body is not JSON ({e}): {}",
                            shorten(String::from_utf8_lossy(&resp.body).into_owned())
                        )
                    })?;
                    let found = json
                        .query(path)
                        .map_err(|e| format!("invalid JSONPath {path}: {e}"))?;
                    Ok((found.into_iter().cloned().collect(), Unit::Number))
                }
                Query::Body => Ok((
                    vec![Value::String(
                        String::from_utf8_lossy(&resp.body).into_owned(),
                    )],
                    Unit::Number,
                )),
                Query::BodySize => Ok((vec![Value::from(resp.body_bytes_read)], Unit::Bytes)),
                Query::Duration => Ok((vec![Value::from(hop.timings.total_ms)], Unit::Millis)),
                Query::Columns(_) | Query::Table(_) => {
                    Err("this expectation applies to database probes only".into())
                }
                q if crate::hygiene::is_hygiene(q) => crate::hygiene::select_http(q, ex),
                _ => Err("this expectation does not apply to HTTP probes".into()),
            }
        }
        Observation::Sqlite(_) | Observation::Postgres(_) | Observation::Redis(_) => {
            crate::db_assert::select(q, obs)
        }
        Observation::Tls(facts) => crate::assert_net::select_tls(q, facts),
        Observation::Tcp(facts) => crate::assert_net::select_tcp(q, facts),
        Observation::Dns(facts) => crate::assert_net::select_dns(q, facts),
        Observation::WebSocket(facts) => crate::assert_net::select_ws(q, facts),
        Observation::Webhook(facts) => crate::assert_net::select_webhook(q, facts),
        Observation::Document(facts) => crate::assert_net::select_doc(q, facts),
        Observation::Cors(facts) => crate::hygiene::select_cors(q, facts),
        Observation::Lint(facts) => match q {
            Query::Findings(level) => {
                let at_or_above = facts
                    .findings
                    .iter()
                    .filter(|f| lint_level(f.severity) >= *level)
                    .count();
                Ok((vec![Value::from(at_or_above)], Unit::Number))
            }
            _ => Err("this expectation does not apply to lint checks".into()),
        },
    }
}

fn lint_level(s: shipcheck_report::Severity) -> LintLevel {
    match s {
        shipcheck_report::Severity::Info => LintLevel::Info,
        shipcheck_report::Severity::Warning => LintLevel::Warning,
        shipcheck_report::Severity::Error => LintLevel::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shipcheck_http::{Exchange, Hop, RequestRecord, ResponseRecord, Timings};
    use shipcheck_plan::{Pos, Quantity};

    fn http(status: u16, headers: &[(&str, &str)], body: &str) -> Observation {
        Observation::Http(Exchange {
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

    fn check(query: Query, predicate: Predicate, obs: &Observation) -> AssertionResult {
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
        let r = check(Query::Status, Predicate::Equals(json!(200)), &obs);
        assert_eq!(
            (r.passed, r.expected.as_str(), r.actual.as_str()),
            (false, "200", "503")
        );
        assert!(
            check(
                Query::Header("content-type".into()),
                Predicate::Regex("^application/json".into()),
                &obs
            )
            .passed
        );
        assert!(
            !check(
                Query::Header("x-absent".into()),
                Predicate::Exists(true),
                &obs
            )
            .passed
        );
        assert!(check(Query::Body, Predicate::Contains("\"n\":3".into()), &obs).passed);
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
}
