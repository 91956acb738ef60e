//! `${NAME}`, `${NAME:-default}`, `${NAME:?message}` (and `$$`) expanded from the
//! environment, per scalar, after YAML parsing. The result is never re-parsed as YAML, and
//! `{{` inside an environment value is escaped so it stays literal text (never a template).

use crate::template::escape;

/// A problem with one `${…}` in a scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EnvIssue {
    /// `${NAME}` (or `${NAME?}`) with NAME unset.
    Unset(String),
    /// `${NAME:?message}` with NAME unset or empty.
    Required(String, String),
    /// Not a valid `${…}` expression.
    Syntax(String),
}

/// The result of expanding one scalar.
#[derive(Debug, Default)]
pub(crate) struct Expanded {
    /// The text after expansion.
    pub(crate) text: String,
    /// Whether any `${…}` was substituted.
    pub(crate) substituted: bool,
    /// Problems found (the text is meaningless when non-empty).
    pub(crate) issues: Vec<EnvIssue>,
}

/// Whether `s` is an environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_env_name(s: &str) -> bool {
    crate::template::is_identifier(s)
}

/// Expand every `${…}` and `$$` in `s`.
pub(crate) fn expand(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Expanded {
    let mut out = Expanded::default();
    if !s.contains('$') {
        out.text = s.to_owned();
        return out;
    }
    let mut rest = s;
    while let Some(dollar) = rest.find('$') {
        out.text.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.text.push('$');
            rest = tail;
        } else if let Some(inner_and_tail) = after.strip_prefix('{') {
            let Some(close) = inner_and_tail.find('}') else {
                out.issues.push(EnvIssue::Syntax(
                    "`${` is not closed by `}` (write `$$` for a literal `$`)".into(),
                ));
                return out;
            };
            out.substituted = true;
            substitute(&inner_and_tail[..close], env, &mut out);
            rest = &inner_and_tail[close + 1..];
        } else {
            out.text.push('$');
            rest = after;
        }
    }
    out.text.push_str(rest);
    out
}

/// Expand the inside of one `${…}`.
fn substitute(inner: &str, env: &dyn Fn(&str) -> Option<String>, out: &mut Expanded) {
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, op) = inner.split_at(name_len);
    if !is_env_name(name) {
        out.issues.push(EnvIssue::Syntax(format!(
            "`${{{inner}}}` does not start with a variable name (write `$$` for a literal `$`)"
        )));
        return;
    }
    let value = env(name);
    let empty = value.as_deref().is_none_or(str::is_empty);
    let push_value = |out: &mut Expanded, v: &str| out.text.push_str(&escape(v));
    if op.is_empty() {
        match value {
            Some(v) => push_value(out, &v),
            None => out.issues.push(EnvIssue::Unset(name.to_owned())),
        }
    } else if let Some(default) = op.strip_prefix(":-") {
        match value {
            Some(v) if !empty => push_value(out, &v),
            _ => out.text.push_str(default),
        }
    } else if let Some(default) = op.strip_prefix('-') {
        match value {
            Some(v) => push_value(out, &v),
            None => out.text.push_str(default),
        }
    } else if let Some(message) = op.strip_prefix(":?") {
        match value {
            Some(v) if !empty => push_value(out, &v),
            _ => out
                .issues
                .push(EnvIssue::Required(name.to_owned(), message.to_owned())),
        }
    } else if let Some(message) = op.strip_prefix('?') {
        match value {
            Some(v) => push_value(out, &v),
            None => out
                .issues
                .push(EnvIssue::Required(name.to_owned(), message.to_owned())),
        }
    } else {
        out.issues.push(EnvIssue::Syntax(format!(
            "`${{{inner}}}` is not a supported form: use `${{NAME}}`, `${{NAME:-default}}` or `${{NAME:?message}}`"
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("example.org".into()),
            "EMPTY" => Some(String::new()),
            "BRACES" => Some("a{{b}}".into()),
            _ => None,
        }
    }

    fn ok(s: &str) -> String {
        let e = expand(s, &env);
        assert!(e.issues.is_empty(), "{s}: {:?}", e.issues);
        e.text
    }

    fn issues(s: &str) -> Vec<EnvIssue> {
        expand(s, &env).issues
    }

    #[test]
    fn forms() {
        assert_eq!(ok("https://${HOST}/x"), "https://example.org/x");
        assert_eq!(
            ok("${MISSING:-http://127.0.0.1:8000}"),
            "http://127.0.0.1:8000"
        );
        assert_eq!(ok("${EMPTY:-d}"), "d");
        assert_eq!(ok("${EMPTY-d}"), "");
        assert_eq!(ok("${MISSING-d}"), "d");
        assert_eq!(ok("${HOST:?need it}"), "example.org");
        assert_eq!(ok("cost $$5 and $x and $"), "cost $5 and $x and $");
        assert_eq!(ok("no dollars"), "no dollars");
        assert!(expand("${HOST}", &env).substituted);
        assert!(!expand("$$", &env).substituted);
    }

    #[test]
    fn env_values_are_not_templates() {
        assert_eq!(ok("${BRACES}"), "a\\{{b}}");
    }

    #[test]
    fn problems() {
        assert_eq!(
            issues("${MISSING}"),
            vec![EnvIssue::Unset("MISSING".into())]
        );
        assert_eq!(
            issues("${EMPTY:?set EMPTY}"),
            vec![EnvIssue::Required("EMPTY".into(), "set EMPTY".into())]
        );
        assert_eq!(issues("${A} ${B}").len(), 2);
        assert!(matches!(issues("${HOST").as_slice(), [EnvIssue::Syntax(_)]));
        assert!(matches!(issues("${9X}").as_slice(), [EnvIssue::Syntax(_)]));
        assert!(matches!(
            issues("${HOST:+x}").as_slice(),
            [EnvIssue::Syntax(_)]
        ));
    }
}
