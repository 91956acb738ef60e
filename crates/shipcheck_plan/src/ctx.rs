//! The loader's context: collected errors and typed accessors on YAML nodes that record an
//! error (at the node) instead of failing, so every problem in a plan is reported at once.

use std::time::Duration;

use serde_json::Value;

use crate::error::{RawError, Span};
use crate::kind::Kinds;
use crate::quantity::{parse_duration, parse_size};
use crate::yaml::{Kind, Node};

/// A string that will be rendered as a template at run time, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) text: String,
    pub(crate) span: Span,
}

/// Loader state shared by every part of the walk.
pub struct Ctx<'e> {
    /// Environment lookup for `${…}` and `secrets`.
    pub(crate) env: &'e dyn Fn(&str) -> Option<String>,
    /// Every problem found so far.
    pub(crate) errors: Vec<RawError>,
    /// Template strings of the check being built.
    pub(crate) sites: Vec<Site>,
    /// The probe kinds plans may use.
    pub(crate) kinds: Kinds,
    /// Values of the declared secrets read so far (masked in error frames).
    pub(crate) secret_values: Vec<String>,
}

/// The value of `key` in a mapping's entries (the first one if duplicated).
pub fn get<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<&'n Node> {
    entry(entries, key).map(|(_, v)| v)
}

/// The `(key, value)` entry for `key`.
pub fn entry<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<&'n (Node, Node)> {
    entries
        .iter()
        .find(|(k, _)| matches!(&k.kind, Kind::Str(s) if s == key))
}

/// Edit distance between two short strings (for "did you mean").
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A node's value for an error message; values from the environment are never shown.
pub fn shown(n: &Node) -> String {
    if n.expanded {
        return "a value from the environment".to_owned();
    }
    match &n.kind {
        Kind::Str(s) => format!("`{s}`"),
        Kind::Null => "nothing".to_owned(),
        Kind::Seq(_) | Kind::Map(_) => n.type_name().to_owned(),
        _ => format!("`{}`", n.scalar_text().unwrap_or_default()),
    }
}

impl<'e> Ctx<'e> {
    /// A new context reading the environment through `env`.
    pub(crate) fn new(env: &'e dyn Fn(&str) -> Option<String>, kinds: Kinds) -> Self {
        Self {
            env,
            errors: Vec::new(),
            sites: Vec::new(),
            kinds,
            secret_values: Vec::new(),
        }
    }

    /// Record an error at `span`.
    pub fn error(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.errors.push(RawError {
            span,
            message: message.into(),
            label: label.into(),
            help: None,
            unset: None,
        });
    }

    /// Record an error with a help line.
    pub fn error_help(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.errors.push(RawError {
            span,
            message: message.into(),
            label: label.into(),
            help: Some(help.into()),
            unset: None,
        });
    }

    /// Mark the error recorded last as one about the unset environment variable `name`.
    pub(crate) fn tag_unset(&mut self, name: &str) {
        if let Some(e) = self.errors.last_mut() {
            e.unset = Some(name.to_owned());
        }
    }

    /// Record a wrong-type error: `what` should be `expected`.
    pub fn expected(&mut self, n: &Node, what: &str, expected: &str) {
        self.error(
            n.span,
            format!("`{what}` must be {expected}"),
            format!("found {}", shown(n)),
        );
    }

    /// The entries of a mapping.
    pub fn map<'n>(&mut self, n: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
        match &n.kind {
            Kind::Map(entries) => Some(entries),
            _ => {
                self.expected(n, what, "a mapping");
                None
            }
        }
    }

    /// The items of a list.
    pub fn seq<'n>(&mut self, n: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &n.kind {
            Kind::Seq(items) => Some(items),
            _ => {
                self.expected(n, what, "a list");
                None
            }
        }
    }

    /// Report every key of `entries` not in `allowed` (with a suggestion).
    pub fn keys(&mut self, entries: &[(Node, Node)], allowed: &[&str], what: &str) {
        for (k, _) in entries {
            let name = match &k.kind {
                Kind::Str(s) => s.clone(),
                _ => k.scalar_text().unwrap_or_else(|| k.type_name().to_owned()),
            };
            if matches!(k.kind, Kind::Str(_)) && allowed.contains(&name.as_str()) {
                continue;
            }
            let label = match suggest(&name, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "unknown key".to_owned(),
            };
            self.error_help(
                k.span,
                format!("unknown key `{name}` in {what}"),
                label,
                format!("allowed keys: {}", allowed.join(", ")),
            );
        }
    }

    /// A scalar as text: strings as is, numbers and booleans stringified.
    pub fn text(&mut self, n: &Node, what: &str) -> Option<String> {
        match &n.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Bool(_) | Kind::Int(_) | Kind::Float(_) => n.scalar_text(),
            _ => {
                self.expected(n, what, "a string");
                None
            }
        }
    }

    /// A text that will be rendered as a template at run time.
    pub fn template(&mut self, n: &Node, what: &str) -> Option<String> {
        let text = self.text(n, what)?;
        self.sites.push(Site {
            text: text.clone(),
            span: n.span,
        });
        Some(text)
    }

    /// A boolean.
    pub fn bool(&mut self, n: &Node, what: &str) -> Option<bool> {
        match (&n.kind, n.expanded) {
            (Kind::Bool(b), _) => Some(*b),
            (Kind::Str(s), true) if s == "true" || s == "false" => Some(s == "true"),
            _ => {
                self.expected(n, what, "`true` or `false`");
                None
            }
        }
    }

    /// A non-negative integer no larger than `max` (a `${…}` string of digits counts).
    pub fn uint(&mut self, n: &Node, what: &str, max: u64) -> Option<u64> {
        let value = match (&n.kind, n.expanded) {
            (Kind::Int(i), _) => u64::try_from(*i).ok(),
            (Kind::Str(s), true) => s.trim().parse().ok(),
            _ => None,
        };
        match value {
            Some(v) if v <= max => Some(v),
            _ => {
                self.expected(n, what, &format!("an integer from 0 to {max}"));
                None
            }
        }
    }

    /// A duration such as `5s`.
    pub fn duration(&mut self, n: &Node, what: &str) -> Option<Duration> {
        let parsed = match &n.kind {
            Kind::Str(s) => parse_duration(s),
            _ => None,
        };
        if parsed.is_none() {
            let label = match &n.kind {
                Kind::Int(_) | Kind::Float(_) => "a number needs a unit".to_owned(),
                _ => format!("found {}", shown(n)),
            };
            self.error_help(
                n.span,
                format!("`{what}` must be a duration"),
                label,
                "write durations like `250ms`, `5s`, `1m`, `1m30s` or `1h`",
            );
        }
        parsed
    }

    /// A size in bytes: an integer or a string such as `1MiB`.
    pub fn size(&mut self, n: &Node, what: &str) -> Option<u64> {
        let parsed = match &n.kind {
            Kind::Int(i) => u64::try_from(*i).ok(),
            Kind::Str(s) => parse_size(s),
            _ => None,
        };
        if parsed.is_none() {
            self.error_help(
                n.span,
                format!("`{what}` must be a size"),
                format!("found {}", shown(n)),
                "write sizes like `512B`, `64KB`, `10KiB`, `1MB` or `1MiB`",
            );
        }
        parsed
    }

    /// A size between 1 byte and `max` (named `max_label` in the message).
    pub fn bounded_size(&mut self, n: &Node, what: &str, max: u64, max_label: &str) -> Option<u64> {
        match self.size(n, what)? {
            0 => {
                self.error(n.span, format!("`{what}` must be at least 1 byte"), "zero");
                None
            }
            s if s > max => {
                self.error(
                    n.span,
                    format!("`{what}` must be at most {max_label}"),
                    "too large",
                );
                None
            }
            s => Some(s),
        }
    }

    /// Any value as JSON. Mapping keys become strings; `.inf`/`.nan` are rejected.
    pub fn json(&mut self, n: &Node) -> Option<Value> {
        Some(match &n.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(num) => Value::Number(num),
                None => {
                    self.error(n.span, "infinity and NaN are not JSON numbers", "not JSON");
                    return None;
                }
            },
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.json(item)?);
                }
                Value::Array(out)
            }
            Kind::Map(entries) => {
                let mut out = serde_json::Map::new();
                for (k, v) in entries {
                    let Some(key) = k.scalar_text() else {
                        self.error(k.span, "JSON object keys must be scalars", "complex key");
                        return None;
                    };
                    let v = self.json(v)?;
                    out.insert(key, v);
                }
                Value::Object(out)
            }
        })
    }

    /// Reads another YAML file the plan names (an expected-schema file) with `read`, in a
    /// context of its own without environment. `Err` holds the first problem as
    /// `line:column: message` and how many problems there were.
    pub fn other_file<T>(
        &self,
        src: &str,
        read: impl FnOnce(&mut Ctx<'_>, &Node) -> Option<T>,
    ) -> Result<Option<T>, (String, usize)> {
        let no_env = |_: &str| None;
        let mut sub = Ctx::new(&no_env, self.kinds);
        let value = crate::yaml::parse(src, &mut sub).and_then(|root| read(&mut sub, &root));
        match sub.errors.first() {
            Some(first) => Err((
                format!(
                    "{}:{}: {}",
                    first.span.start.line,
                    first.span.start.col + 1,
                    first.message
                ),
                sub.errors.len(),
            )),
            None => Ok(value),
        }
    }

    /// Record every string inside `n` as a template site.
    pub fn template_sites(&mut self, n: &Node) {
        match &n.kind {
            Kind::Str(s) => self.sites.push(Site {
                text: s.clone(),
                span: n.span,
            }),
            Kind::Seq(items) => items.iter().for_each(|i| self.template_sites(i)),
            Kind::Map(entries) => entries.iter().for_each(|(_, v)| self.template_sites(v)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["id", "title", "needs", "expect", "capture", "timeout"];
        assert_eq!(suggest("expcet", keys), Some("expect"));
        assert_eq!(suggest("Needs", keys), Some("needs"));
        assert_eq!(suggest("timeuot", keys), Some("timeout"));
        assert_eq!(suggest("banana", keys), None);
    }
}
