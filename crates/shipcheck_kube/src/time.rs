//! The API's timestamps (`2026-12-04T10:01:47Z`, `…T10:01:47.123456Z`) as Unix seconds.

/// Unix seconds of an RFC 3339 UTC timestamp as the API writes them; `None` otherwise.
pub fn unix_seconds(ts: &str) -> Option<f64> {
    let b = ts.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| ts.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let rest = ts.get(19..)?;
    let (frac, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let digits = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            (
                format!("0.{}", &r[..digits]).parse::<f64>().ok()?,
                &r[digits..],
            )
        }
        None => (0.0, rest),
    };
    if zone != "Z" {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + s) as f64 + frac)
}

/// `1h 2m 3s`, `4m 5s`, `6s`, `0.4s`.
pub fn human_duration(secs: f64) -> String {
    if secs < 10.0 && secs.fract() != 0.0 {
        return format!("{secs:.1}s");
    }
    let t = secs.round() as u64;
    let (h, m, s) = (t / 3600, t % 3600 / 60, t % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_timestamps() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(unix_seconds("2026-12-04T10:01:47Z"), Some(1_796_378_507.0));
        assert_eq!(unix_seconds("2000-03-01T00:00:01.5Z"), Some(951_868_801.5));
        assert_eq!(unix_seconds("2026-12-04T10:01:47+02:00"), None);
        assert_eq!(unix_seconds("yesterday"), None);
        assert_eq!(human_duration(42.0), "42s");
        assert_eq!(human_duration(3725.0), "1h 2m 5s");
    }
}
