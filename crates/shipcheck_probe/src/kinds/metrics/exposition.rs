//! A Prometheus text exposition (0.0.4) and OpenMetrics parser: `# HELP` / `# TYPE`
//! lines, samples with escaped label values (`\\`, `\"`, `\n`), `+Inf` / `-Inf` / `NaN`,
//! optional timestamps and OpenMetrics exemplars, `# EOF`. The first invalid line is an
//! error naming its number and text.

use std::collections::BTreeMap;

/// One sample of an exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name (with `_bucket`, `_sum`… suffixes as written).
    pub name: String,
    /// Labels in written order.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

/// Most lines read.
const MAX_LINES: usize = 1_000_000;

const TYPES: &[&str] = &[
    "counter",
    "gauge",
    "histogram",
    "summary",
    "untyped",
    "unknown",
    "info",
    "stateset",
    "gaugehistogram",
];

/// Parses the exposition; `Err` says which line is invalid and why.
pub(super) fn parse(text: &str) -> Result<(Vec<Sample>, BTreeMap<String, String>), String> {
    let mut samples = Vec::new();
    let mut types = BTreeMap::new();
    for (i, line) in text.lines().enumerate().take(MAX_LINES) {
        let n = i + 1;
        let bad = |why: &str| {
            let shown: String = line.chars().take(120).collect();
            format!("line {n}: {why}: {shown}")
        };
        let line_t = line.trim_end_matches('\r');
        if line_t.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line_t.strip_prefix('#') {
            let comment = comment.trim_start();
            if comment == "EOF" {
                break;
            }
            if let Some(rest) = comment.strip_prefix("TYPE ") {
                let mut parts = rest.split_whitespace();
                let (Some(name), Some(kind), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad("a TYPE line is `# TYPE name type`"));
                };
                if !is_metric_name(name) {
                    return Err(bad("invalid metric name"));
                }
                if !TYPES.contains(&kind) {
                    return Err(bad(&format!("unknown metric type `{kind}`")));
                }
                if types.insert(name.to_owned(), kind.to_owned()).is_some() {
                    return Err(bad(&format!("second TYPE line for `{name}`")));
                }
            } else if let Some(rest) = comment.strip_prefix("HELP ") {
                let name = rest.split_whitespace().next().unwrap_or("");
                if !is_metric_name(name) {
                    return Err(bad("invalid metric name"));
                }
            }
            continue;
        }
        samples.push(sample(line_t).map_err(|why| bad(&why))?);
    }
    Ok((samples, types))
}

fn is_metric_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
        })
}

fn is_label_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()))
}

fn value(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => s
            .parse::<f64>()
            .map_err(|_| format!("`{s}` is not a sample value")),
    }
}

/// `name{labels} value [timestamp] [# exemplar]`.
fn sample(line: &str) -> Result<Sample, String> {
    let name_end = line
        .find(|c: char| c == '{' || c.is_whitespace())
        .ok_or("a sample needs a value")?;
    let name = &line[..name_end];
    if !is_metric_name(name) {
        return Err("invalid metric name".into());
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let (parsed, tail) = label_set(after)?;
        labels = parsed;
        rest = tail;
    }
    // OpenMetrics exemplars follow ` # `; they do not change the sample.
    let rest = rest.split(" # ").next().unwrap_or(rest);
    let mut parts = rest.split_whitespace();
    let v = parts.next().ok_or("a sample needs a value")?;
    let v = value(v)?;
    if let Some(ts) = parts.next()
        && ts.parse::<f64>().is_err()
    {
        return Err(format!("`{ts}` is not a timestamp"));
    }
    if parts.next().is_some() {
        return Err("unexpected text after the timestamp".into());
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value: v,
    })
}

/// Label names and values in written order.
type Labels = Vec<(String, String)>;

/// Labels up to the closing `}`; returns them and the text after it.
fn label_set(mut s: &str) -> Result<(Labels, &str), String> {
    let mut labels: Labels = Vec::new();
    // Names seen so far: a set, so a line of many labels costs linear time, not quadratic.
    let mut seen = std::collections::HashSet::new();
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix('}') {
            return Ok((labels, rest));
        }
        let eq = s.find('=').ok_or("a label needs `=`")?;
        let name = s[..eq].trim();
        if !is_label_name(name) {
            return Err(format!("invalid label name `{name}`"));
        }
        if !seen.insert(name) {
            return Err(format!("label `{name}` appears twice"));
        }
        let after = s[eq + 1..].trim_start();
        let mut chars = after.char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err(format!("the value of label `{name}` is not quoted"));
        }
        let mut value = String::new();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    other => {
                        return Err(format!(
                            "invalid escape `\\{}` in label `{name}`",
                            other.map(String::from).unwrap_or_default()
                        ));
                    }
                },
                '"' => {
                    end = Some(i);
                    break;
                }
                c => value.push(c),
            }
        }
        let end = end.ok_or_else(|| format!("the value of label `{name}` is not closed"))?;
        labels.push((name.to_owned(), value));
        s = after[end + 1..].trim_start();
        if let Some(rest) = s.strip_prefix(',') {
            s = rest;
        } else if !s.starts_with('}') {
            return Err("labels are separated by `,` and closed by `}`".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typical_exposition_parses() {
        let text = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n\
            http_requests_total{method=\"GET\",path=\"/a\\\"b\\\\c\\n\"} 12 1700000000000\n\
            http_requests_total{method=\"POST\",} 3\n\
            # TYPE latency histogram\nlatency_bucket{le=\"+Inf\"} 5\nlatency_sum 1.5e-1\nlatency_count 5\n\
            up NaN\nfoo -Inf\nbar{a=\"1\"} 2 # {trace_id=\"x\"} 1.0\n# EOF\nnot parsed {";
        let (samples, types) = parse(text).unwrap_or_default();
        assert_eq!(samples.len(), 8);
        assert_eq!(samples[0].labels[1].1, "/a\"b\\c\n");
        assert_eq!(samples[0].value, 12.0);
        assert!(samples[5].value.is_nan());
        assert_eq!(types.get("latency").map(String::as_str), Some("histogram"));
    }

    /// A 4 MiB line of distinct labels (the default `max_body`) parses in linear time: the
    /// duplicate check was a scan of the labels so far, quadratic (33 s of CPU on this line
    /// in an optimised build without finishing, 0.2 s now; the bound leaves room for a
    /// loaded machine and a debug build).
    #[test]
    fn a_line_of_many_labels_parses_quickly() {
        let mut line = String::from("m{");
        let mut n = 0;
        while line.len() < 4 * 1024 * 1024 {
            line.push_str(&format!("l{n}=\"\","));
            n += 1;
        }
        line.push_str("} 1\n");
        let start = std::time::Instant::now();
        let (samples, _) = parse(&line).unwrap_or_default();
        assert_eq!(samples.first().map(|s| s.labels.len()), Some(n));
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "{:?}", start.elapsed());
    }

    #[test]
    fn invalid_lines_are_named() {
        let e = |t: &str| parse(t).err().unwrap_or_default();
        assert_eq!(
            e("ok 1\nbad{a=1} 2\n"),
            "line 2: the value of label `a` is not quoted: bad{a=1} 2"
        );
        assert!(e("x 1 2 3").starts_with("line 1: unexpected text"));
        assert!(e("x abc").contains("`abc` is not a sample value"));
        assert!(e("# TYPE x countr").contains("unknown metric type `countr`"));
        assert!(e("x{a=\"1\",a=\"2\"} 1").contains("appears twice"));
        assert!(e("x{a=\"1\" 1").contains("separated by"));
        assert!(e("9x 1").contains("invalid metric name"));
    }
}
