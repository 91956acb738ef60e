//! Series selectors: `name` or `name{label="v",other!="w"}`.

/// A label matcher of a series selector: `(label, value, equal)` (`false` for `!=`).
pub(super) type LabelMatcher = (String, String, bool);

/// Whether `sel` is a series selector: `name` or `name{label="v",other!="w"}`.
pub(super) fn valid_selector(sel: &str) -> bool {
    parse_selector(sel).is_some()
}

/// A selector's metric name and label matchers.
pub(super) fn parse_selector(sel: &str) -> Option<(String, Vec<LabelMatcher>)> {
    let sel = sel.trim();
    let (name, rest) = match sel.find('{') {
        Some(i) => (&sel[..i], Some(&sel[i..])),
        None => (sel, None),
    };
    let name_ok = name.chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
    });
    if name.is_empty() || !name_ok {
        return None;
    }
    let mut matchers = Vec::new();
    if let Some(rest) = rest {
        let inner = rest.strip_prefix('{')?.strip_suffix('}')?;
        for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (label, value, equal) = if let Some((l, v)) = part.split_once("!=") {
                (l, v, false)
            } else {
                let (l, v) = part.split_once('=')?;
                (l, v, true)
            };
            let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
            let label = label.trim();
            if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            matchers.push((label.to_owned(), value.to_owned(), equal));
        }
    }
    Some((name.to_owned(), matchers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_names_and_matchers() {
        assert_eq!(
            parse_selector("http_requests_total{method=\"GET\", code!=\"500\"}"),
            Some((
                "http_requests_total".into(),
                vec![
                    ("method".into(), "GET".into(), true),
                    ("code".into(), "500".into(), false)
                ]
            ))
        );
        assert_eq!(parse_selector("up"), Some(("up".into(), vec![])));
        assert!(parse_selector("1up").is_none());
        assert!(parse_selector("up{method=GET}").is_none());
        assert!(parse_selector("up{").is_none());
    }
}
