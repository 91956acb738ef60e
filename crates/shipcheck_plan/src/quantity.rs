//! Durations (`250ms`, `1m30s`), sizes (`512B`, `10KiB`, `1MB`) and quantities
//! (a number, a duration, a size or a percentage) as written in plans.

use std::time::Duration;

use crate::ast::{Quantity, Unit};

/// Longest duration accepted (about 31 years): larger values are certainly typos.
const MAX_SECONDS: f64 = 1.0e9;

/// Split `s` into `(number, unit)` components: `1m30s` → `[(1, "m"), (30, "s")]`.
fn components(s: &str) -> Option<Vec<(f64, &str)>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_len];
        if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '%'))
            .unwrap_or(rest.len());
        out.push((value, &rest[..unit_len]));
        rest = &rest[unit_len..];
    }
    Some(out)
}

/// Parse a duration: `250ms`, `5s`, `1m`, `1m30s`, `1h`, `1.5s`. A bare number has no unit
/// and is rejected.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let parts = components(s.trim())?;
    if parts.is_empty() {
        return None;
    }
    let mut seconds = 0.0;
    for (value, unit) in parts {
        let factor = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return None,
        };
        seconds += value * factor;
    }
    (seconds <= MAX_SECONDS).then(|| Duration::from_secs_f64(seconds))
}

/// A duration as people write it, in the plan's own notation (`250ms`, `5s`, `1.5s`,
/// `2m`, `1m30s`, `1h`), for messages: never Rust's Debug form (`5.000000001s`).
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        // Below a millisecond still reads as `0ms`, never as nanoseconds.
        return format!("{ms}ms");
    }
    if ms < 60_000 {
        return if ms.is_multiple_of(1000) {
            format!("{}s", ms / 1000)
        } else {
            let tenths = (ms + 50) / 100;
            if tenths.is_multiple_of(10) {
                format!("{}s", tenths / 10)
            } else {
                format!("{}.{}s", tenths / 10, tenths % 10)
            }
        };
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::new();
    for (value, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    out
}

/// Parse a size in bytes: `512B`, `64KB`, `10KiB`, `1MB`, `1MiB`, `1GB`, `1GiB` (unit case
/// ignored).
pub(crate) fn parse_size(s: &str) -> Option<u64> {
    let parts = components(s.trim())?;
    let [(value, unit)] = parts.as_slice() else {
        return None;
    };
    let factor: f64 = match unit.to_ascii_lowercase().as_str() {
        "b" => 1.0,
        "kb" => 1e3,
        "kib" => 1024.0,
        "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "gb" => 1e9,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = (value * factor).round();
    // 1 TiB is far beyond anything a check reads; reject larger values as typos.
    (bytes <= 1024.0_f64.powi(4)).then_some(bytes as u64)
}

/// Parse a quantity: `5` → a number, `"200ms"` → milliseconds, `"1MiB"`/`"64KB"`/`"512B"`
/// → bytes, `"0.1%"` → percent. A string holding a plain number is a number.
pub fn parse_quantity(v: &serde_json::Value) -> Option<Quantity> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(|value| Quantity {
            value,
            unit: Unit::Number,
        }),
        serde_json::Value::String(s) => {
            let s = s.trim();
            if let Some(pct) = s.strip_suffix('%') {
                let value: f64 = pct.trim().parse().ok()?;
                return value.is_finite().then_some(Quantity {
                    value,
                    unit: Unit::Percent,
                });
            }
            if let Some(d) = parse_duration(s) {
                return Some(Quantity {
                    value: d.as_secs_f64() * 1000.0,
                    unit: Unit::Millis,
                });
            }
            if let Some(bytes) = parse_size(s) {
                return Some(Quantity {
                    value: bytes as f64,
                    unit: Unit::Bytes,
                });
            }
            let value: f64 = s.parse().ok()?;
            value.is_finite().then_some(Quantity {
                value,
                unit: Unit::Number,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_are_formatted_as_a_plan_would_write_them() {
        use super::format_duration;
        let d = Duration::from_millis;
        assert_eq!(format_duration(d(0)), "0ms");
        assert_eq!(format_duration(d(250)), "250ms");
        assert_eq!(format_duration(d(5000)), "5s");
        assert_eq!(format_duration(d(1500)), "1.5s");
        assert_eq!(format_duration(Duration::new(5, 1)), "5s");
        assert_eq!(format_duration(d(120_000)), "2m");
        assert_eq!(format_duration(d(90_000)), "1m30s");
        assert_eq!(format_duration(d(3_600_000)), "1h");
        for ms in [7, 250, 2000, 1500, 90_000, 3_600_000] {
            assert_eq!(
                super::parse_duration(&format_duration(d(ms))),
                Some(d(ms)),
                "round trip of {ms}ms"
            );
        }
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        let ms = |s: &str| parse_duration(s).map(|d| d.as_millis());
        assert_eq!(ms("250ms"), Some(250));
        assert_eq!(ms("5s"), Some(5000));
        assert_eq!(ms("1m"), Some(60_000));
        assert_eq!(ms("1m30s"), Some(90_000));
        assert_eq!(ms("1h"), Some(3_600_000));
        assert_eq!(ms("1.5s"), Some(1500));
        assert_eq!(ms("0s"), Some(0));
        for bad in [
            "",
            "5",
            "5 sec",
            "s",
            "1x",
            "1.s",
            "-1s",
            "ms",
            "99999999999h",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512B"), Some(512));
        assert_eq!(parse_size("64KB"), Some(64_000));
        assert_eq!(parse_size("10KiB"), Some(10_240));
        assert_eq!(parse_size("1MB"), Some(1_000_000));
        assert_eq!(parse_size("1MiB"), Some(1_048_576));
        assert_eq!(parse_size("2gib"), Some(2 * 1024 * 1024 * 1024));
        for bad in ["1", "1 MiBs", "1KB2B", "MiB", "1s"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn quantities() {
        let q = |v| parse_quantity(&v).map(|q| (q.value, q.unit));
        assert_eq!(q(json!(5)), Some((5.0, Unit::Number)));
        assert_eq!(q(json!("2.5")), Some((2.5, Unit::Number)));
        assert_eq!(q(json!("200ms")), Some((200.0, Unit::Millis)));
        assert_eq!(q(json!("1m")), Some((60_000.0, Unit::Millis)));
        assert_eq!(q(json!("1MiB")), Some((1_048_576.0, Unit::Bytes)));
        assert_eq!(q(json!("64KB")), Some((64_000.0, Unit::Bytes)));
        assert_eq!(q(json!("512B")), Some((512.0, Unit::Bytes)));
        assert_eq!(q(json!("0.1%")), Some((0.1, Unit::Percent)));
        assert_eq!(q(json!("fast")), None);
        assert_eq!(q(json!(true)), None);
    }
}
