//! `{{ name }}` templates: plan variables and captured values, resolved at run time.
//!
//! Only identifiers are allowed between the braces (no expressions); `\{{` is a literal
//! `{{`. A string that is exactly `{{ x }}` keeps the value's JSON type in
//! [`render_value`]; inside a longer string the value is stringified (strings raw, other
//! values as JSON).

use std::ops::Range;

use serde_json::Value;

/// A `{{ name }}` referred to a name the lookup does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("undefined variable `{name}`")]
pub struct TemplateError {
    /// The undefined name.
    pub name: String,
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Literal text (with `\{{` already unescaped).
    Text(String),
    /// `{{ name }}`; the range covers the whole `{{ … }}` in the source string.
    Var(&'a str, Range<usize>),
    /// A malformed `{{ …` (kept literally when rendering, reported by the loader).
    Bad(&'a str, Range<usize>, &'static str),
}

/// Whether `s` is a template identifier: `[A-Za-z_][A-Za-z0-9_]*`.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Split a template string into pieces.
pub(crate) fn parse(s: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("\\{{") {
            text.push_str("{{");
            i += 3;
        } else if let Some(after) = rest.strip_prefix("{{") {
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            match after.find("}}") {
                None => {
                    pieces.push(Piece::Bad(
                        rest,
                        i..s.len(),
                        "`{{` is not closed by `}}` (write `\\{{` for a literal `{{`)",
                    ));
                    i = s.len();
                }
                Some(close) => {
                    let end = i + 2 + close + 2;
                    let inner = &after[..close];
                    let name = inner.trim();
                    if is_identifier(name) {
                        pieces.push(Piece::Var(name, i..end));
                    } else {
                        pieces.push(Piece::Bad(
                            &s[i..end],
                            i..end,
                            "only a variable name is allowed between `{{` and `}}` (write `\\{{` for a literal `{{`)",
                        ));
                    }
                    i = end;
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or_default();
            text.push(c);
            i += c.len_utf8().max(1);
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// Names referenced by `{{ name }}` in `s`, in order of first appearance (ignores `\{{`).
pub fn references(s: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for piece in parse(s) {
        if let Piece::Var(name, _) = piece
            && !names.iter().any(|n| n == name)
        {
            names.push(name.to_owned());
        }
    }
    names
}

/// Render a string: each `{{ name }}` is replaced by `lookup(name)` stringified (strings
/// raw, other values as JSON); `\{{` becomes `{{`.
pub fn render_str(
    s: &str,
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(s.len());
    for piece in parse(s) {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Bad(raw, _, _) => out.push_str(raw),
            Piece::Var(name, _) => match lookup(name) {
                Some(Value::String(v)) => out.push_str(&v),
                Some(v) => out.push_str(&v.to_string()),
                None => {
                    return Err(TemplateError {
                        name: name.to_owned(),
                    });
                }
            },
        }
    }
    Ok(out)
}

/// Render a JSON value recursively (object keys are not rendered). A string that is
/// exactly `{{ x }}` becomes `lookup(x)` with its JSON type.
pub fn render_value(
    v: &Value,
    lookup: &dyn Fn(&str) -> Option<Value>,
) -> Result<Value, TemplateError> {
    Ok(match v {
        Value::String(s) => {
            let pieces = parse(s);
            match pieces.as_slice() {
                [Piece::Var(name, range)] if range.start == 0 && range.end == s.len() => {
                    lookup(name).ok_or_else(|| TemplateError {
                        name: (*name).to_owned(),
                    })?
                }
                _ => Value::String(render_str(s, lookup)?),
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render_value(item, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, item)| Ok((k.clone(), render_value(item, lookup)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

/// Escape text so that it renders literally (`{{` → `\{{`).
pub(crate) fn escape(s: &str) -> String {
    s.replace("{{", "\\{{")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(name: &str) -> Option<Value> {
        match name {
            "api" => Some(json!("http://h")),
            "n" => Some(json!(3)),
            "flag" => Some(json!(true)),
            "obj" => Some(json!({"a": [1, 2]})),
            _ => None,
        }
    }

    #[test]
    fn references_in_order_without_escapes() {
        assert_eq!(
            references("{{ api }}/x/{{n}}/\\{{ no }}/{{ api }}"),
            vec!["api".to_owned(), "n".to_owned()]
        );
        assert!(references("{{ a.b }} {{ unclosed").is_empty());
    }

    #[test]
    fn render_str_stringifies() {
        let out = render_str("{{ api }}/v/{{ n }}?f={{flag}}&o={{ obj }}", &vars);
        assert_eq!(out.as_deref(), Ok("http://h/v/3?f=true&o={\"a\":[1,2]}"));
    }

    #[test]
    fn render_str_escape_and_error() {
        assert_eq!(
            render_str("a \\{{ api }} b", &vars).as_deref(),
            Ok("a {{ api }} b")
        );
        assert_eq!(
            render_str("{{ nope }}", &vars),
            Err(TemplateError {
                name: "nope".into()
            })
        );
        assert_eq!(
            TemplateError {
                name: "nope".into()
            }
            .to_string(),
            "undefined variable `nope`"
        );
    }

    #[test]
    fn render_value_keeps_types() {
        let v = json!({"count": "{{ n }}", "on": "{{flag}}", "o": "{{ obj }}",
                       "s": "n={{ n }}", "list": ["{{ api }}", 1, null], "{{ n }}": "k"});
        let out = render_value(&v, &vars);
        assert_eq!(
            out,
            Ok(json!({"count": 3, "on": true, "o": {"a": [1, 2]},
                      "s": "n=3", "list": ["http://h", 1, null], "{{ n }}": "k"}))
        );
        assert!(render_value(&json!(["{{ missing }}"]), &vars).is_err());
    }

    #[test]
    fn escape_round_trips() {
        let raw = "p{{w}}\\{{x";
        assert_eq!(render_str(&escape(raw), &vars).as_deref(), Ok(raw));
    }
}
