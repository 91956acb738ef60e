//! Timestamps as log lines and build-info files write them, read to Unix seconds: ISO 8601
//! / RFC 3339 (`2026-01-31T12:00:00.5Z`, `2026-01-31 12:00:00,123 +0100`; no zone is UTC)
//! and the Apache/nginx access-log form (`31/Jan/2026:12:00:00 +0000`).

use std::sync::LazyLock;

use regex::Regex;

static ISO: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?").ok()
});
static CLF: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})").ok()
});

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn seconds(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, offset_s: i64) -> Option<f64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_s) as f64)
}

/// `+01:00`, `-0530`, `Z` → seconds east of UTC.
fn offset(z: &str) -> i64 {
    if z == "Z" || z.is_empty() {
        return 0;
    }
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z.chars().filter(char::is_ascii_digit).collect();
    let h: i64 = digits.get(..2).and_then(|x| x.parse().ok()).unwrap_or(0);
    let m: i64 = digits.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
    sign * (h * 3600 + m * 60)
}

/// The first timestamp in `text`, as Unix seconds.
pub(crate) fn find(text: &str) -> Option<f64> {
    let num = |c: &regex::Captures<'_>, i: usize| -> i64 {
        c.get(i).and_then(|m| m.as_str().parse().ok()).unwrap_or(0)
    };
    if let Some(c) = ISO.as_ref().and_then(|r| r.captures(text)) {
        let frac = c
            .get(7)
            .map_or(0.0, |m| format!("0.{}", m.as_str()).parse().unwrap_or(0.0));
        let z = c.get(8).map_or("", |m| m.as_str());
        return seconds(
            num(&c, 1),
            num(&c, 2),
            num(&c, 3),
            num(&c, 4),
            num(&c, 5),
            num(&c, 6),
            offset(z),
        )
        .map(|s| s + frac);
    }
    let c = CLF.as_ref()?.captures(text)?;
    let name = c.get(2)?.as_str();
    let month = MONTHS.iter().position(|m| *m == name)? as i64 + 1;
    seconds(
        num(&c, 3),
        month,
        num(&c, 1),
        num(&c, 4),
        num(&c, 5),
        num(&c, 6),
        offset(c.get(7)?.as_str()),
    )
}

/// Whether `text` is exactly an RFC 3339 date-time (a zone is required).
pub(crate) fn is_rfc3339(text: &str) -> bool {
    static EXACT: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$").ok()
    });
    EXACT.as_ref().is_some_and(|r| r.is_match(text)) && find(text).is_some()
}

/// The current time as Unix seconds.
pub(crate) fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::{find, is_rfc3339};

    #[test]
    fn common_formats_are_read_to_unix_seconds() {
        assert_eq!(find("2026-01-31T12:00:00Z boot"), Some(1_769_860_800.0));
        assert_eq!(
            find("[2026-01-31 13:00:00,000 +01:00] ERROR x"),
            Some(1_769_860_800.0)
        );
        assert_eq!(
            find("127.0.0.1 - - [31/Jan/2026:12:00:00 +0000] \"GET /\""),
            Some(1_769_860_800.0)
        );
        assert_eq!(find("no time here"), None);
        assert!(is_rfc3339("2026-01-31T12:00:00+00:00"));
        assert!(!is_rfc3339("2026-01-31"));
        assert!(!is_rfc3339("2026-13-31T12:00:00Z"));
    }
}
