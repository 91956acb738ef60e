//! Generic evaluation of assertions (query + predicate) on a kind's facts.

use jsonpath_rust::JsonPath as _;
use serde_json::Value;
use shipcheck_plan::{Assertion, Predicate, Query, Unit};
use shipcheck_report::AssertionResult;

use shipcheck_plan::kind::Facts;

use crate::value::{describe, holds, length, shorten, text, trim_float};

/// Evaluates every assertion on the facts; each result keeps expected and actual.
pub fn evaluate(assertions: &[Assertion], facts: &dyn Facts) -> Vec<AssertionResult> {
    assertions.iter().map(|a| evaluate_one(a, facts)).collect()
}

/// The values an RFC 9535 JSONPath selects in `doc`.
pub(crate) fn json_path(doc: &Value, path: &str) -> Result<Vec<Value>, String> {
    doc.query(path)
        .map(|found| found.into_iter().cloned().collect())
        .map_err(|e| format!("invalid JSONPath {path}: {e}"))
}

fn subject(q: &Query) -> String {
    match q {
        Query::Kind(k) => k.0.subject(),
        Query::JsonPath(p) => format!("json {p}"),
        Query::Duration => "duration".into(),
    }
}

fn evaluate_one(a: &Assertion, facts: &dyn Facts) -> AssertionResult {
    if let Predicate::Judge(j) = &a.predicate {
        let (predicate, expected) = j.0.describe();
        let (passed, actual) = j.0.judge(facts);
        return AssertionResult {
            subject: subject(&a.query),
            predicate,
            expected,
            actual,
            passed,
        };
    }
    let (predicate, expected) = describe(&a.predicate);
    let mut result = AssertionResult {
        subject: subject(&a.query),
        predicate,
        expected,
        actual: String::new(),
        passed: false,
    };
    let selected = match &a.query {
        Query::Kind(k) => k.0.select(facts).map(|s| (s.values, s.unit)),
        Query::Duration => Ok((vec![Value::from(facts.duration_ms())], Unit::Millis)),
        Query::JsonPath(path) => facts
            .json()
            .and_then(|doc| json_path(&doc, path))
            .map(|v| (v, Unit::Number)),
    };
    let (matches, unit) = match selected {
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
                } else if unit == Unit::Percent {
                    result.actual.push('%');
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
    let note = match &a.query {
        Query::Kind(k) => k.0.note(facts),
        _ => None,
    };
    if let Some(note) = note {
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
