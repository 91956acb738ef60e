//! Comparing and displaying values for assertions.

use serde_json::Value;
use shipcheck_plan::{Predicate, Quantity, StatusPattern, Unit};

/// Equality with numbers compared numerically, and strings compared with the literal's text
/// when the observed value is a string (headers and bodies are text).
pub(crate) fn json_eq(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() < f64::EPSILON * x.abs().max(1.0),
            _ => a == b,
        },
        (Value::String(a), b) if !b.is_string() && !b.is_object() && !b.is_array() => *a == text(b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => actual == expected,
    }
}

/// The value as text: strings raw, everything else as compact JSON.
pub(crate) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value as a number, if it is one (or a string holding one).
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Length: array items, object keys, string characters.
pub(crate) fn length(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.len()),
        Value::Object(o) => Some(o.len()),
        Value::String(s) => Some(s.chars().count()),
        _ => None,
    }
}

/// Shortens a displayed value to a readable size.
pub(crate) fn shorten(s: String) -> String {
    const MAX: usize = 200;
    if s.chars().count() <= MAX {
        return s;
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}… ({} chars)", s.chars().count())
}

/// Formats a quantity as the plan would write it.
pub(crate) fn quantity(q: &Quantity) -> String {
    match q.unit {
        Unit::Number => trim_float(q.value),
        Unit::Millis => format!("{}ms", trim_float(q.value)),
        Unit::Bytes => format!("{}B", trim_float(q.value)),
        Unit::Percent => format!("{}%", trim_float(q.value)),
    }
}

/// `12.0` → `12`, `12.345678` → `12.35`.
pub(crate) fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The predicate's name and its expected value, for reports.
pub(crate) fn describe(p: &Predicate) -> (String, String) {
    match p {
        Predicate::Equals(v) => ("equals".into(), shorten(text(v))),
        Predicate::NotEquals(v) => ("not_equals".into(), shorten(text(v))),
        Predicate::Exists(b) => ("exists".into(), b.to_string()),
        Predicate::Regex(r) => ("regex".into(), format!("/{r}/")),
        Predicate::OneOf(vs) => (
            "one_of".into(),
            shorten(vs.iter().map(text).collect::<Vec<_>>().join(", ")),
        ),
        Predicate::StatusIn(ps) => (
            "one_of".into(),
            ps.iter()
                .map(|p| match p {
                    StatusPattern::Code(c) => c.to_string(),
                    StatusPattern::Class(c) => format!("{c}xx"),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Predicate::Contains(s) => ("contains".into(), shorten(s.clone())),
        Predicate::Count(inner) => {
            let (n, e) = describe(inner);
            (format!("count {n}"), e)
        }
        Predicate::Length(inner) => {
            let (n, e) = describe(inner);
            (format!("length {n}"), e)
        }
        Predicate::AtLeast(q) => ("at_least".into(), format!(">= {}", quantity(q))),
        Predicate::AtMost(q) => ("at_most".into(), format!("<= {}", quantity(q))),
        Predicate::Under(q) => ("under".into(), format!("< {}", quantity(q))),
        Predicate::Over(q) => ("over".into(), format!("> {}", quantity(q))),
        Predicate::Judge(j) => j.0.describe(),
    }
}

/// Applies a predicate to one value. `Exists`, `Count` and `HasColumns` are handled by the
/// caller, which knows the number of matches.
pub(crate) fn holds(p: &Predicate, v: &Value, unit_of_actual: Unit) -> bool {
    match p {
        Predicate::Equals(e) => json_eq(v, e),
        Predicate::NotEquals(e) => !json_eq(v, e),
        Predicate::Exists(b) => *b,
        Predicate::Regex(r) => regex::Regex::new(r).is_ok_and(|re| re.is_match(&text(v))),
        Predicate::OneOf(vs) => vs.iter().any(|e| json_eq(v, e)),
        Predicate::StatusIn(ps) => number(v).is_some_and(|n| {
            ps.iter().any(|p| match p {
                StatusPattern::Code(c) => n == f64::from(*c),
                StatusPattern::Class(c) => (n / 100.0).floor() == f64::from(*c),
            })
        }),
        Predicate::Contains(s) => text(v).contains(s.as_str()),
        Predicate::Count(inner) => holds(inner, v, Unit::Number),
        Predicate::Length(inner) => {
            length(v).is_some_and(|n| holds(inner, &Value::from(n), Unit::Number))
        }
        Predicate::AtLeast(q) => compare(v, q, unit_of_actual).is_some_and(|(a, b)| a >= b),
        Predicate::AtMost(q) => compare(v, q, unit_of_actual).is_some_and(|(a, b)| a <= b),
        Predicate::Under(q) => compare(v, q, unit_of_actual).is_some_and(|(a, b)| a < b),
        Predicate::Over(q) => compare(v, q, unit_of_actual).is_some_and(|(a, b)| a > b),
        Predicate::Judge(_) => false,
    }
}

/// The actual and expected numbers, when the units agree (a plain number matches any unit).
fn compare(v: &Value, q: &Quantity, actual_unit: Unit) -> Option<(f64, f64)> {
    let a = number(v)?;
    if q.unit != Unit::Number && actual_unit != Unit::Number && q.unit != actual_unit {
        return None;
    }
    Some((a, q.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_numerically_and_text_compares_as_text() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!("5"), &json!(5)));
        assert!(!json_eq(&json!("ok"), &json!("OK")));
        assert!(json_eq(&json!({"a": [1, 2]}), &json!({"a": [1.0, 2]})));
    }

    #[test]
    fn bounds_respect_units() {
        let q = Quantity {
            value: 200.0,
            unit: Unit::Millis,
        };
        assert!(holds(&Predicate::Under(q), &json!(150.0), Unit::Millis));
        assert!(!holds(&Predicate::Under(q), &json!(200.0), Unit::Millis));
        assert!(holds(&Predicate::AtMost(q), &json!(200.0), Unit::Millis));
        let bytes = Quantity {
            value: 10.0,
            unit: Unit::Bytes,
        };
        assert!(!holds(&Predicate::Under(bytes), &json!(1.0), Unit::Millis));
    }

    #[test]
    fn status_classes_and_lengths() {
        let p = Predicate::StatusIn(vec![StatusPattern::Class(2), StatusPattern::Code(404)]);
        assert!(holds(&p, &json!(204), Unit::Number));
        assert!(holds(&p, &json!(404), Unit::Number));
        assert!(!holds(&p, &json!(500), Unit::Number));
        let len = Predicate::Length(Box::new(Predicate::AtLeast(Quantity {
            value: 2.0,
            unit: Unit::Number,
        })));
        assert!(holds(&len, &json!([1, 2]), Unit::Number));
        assert!(!holds(&len, &json!([1]), Unit::Number));
    }
}
