//! The span-aware YAML tree and its accessors.

use std::sync::Arc;

use crate::text::{Span, TextRange};

/// One YAML node with the span of where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's value.
    pub value: Value,
    /// Where the node is written (for an alias: the `*name`, not the anchor).
    pub span: Span,
    /// A collection's tag (`!!map`, `!custom`), as `handle` + `suffix`; a scalar keeps
    /// its tag in [`Scalar::tag`].
    pub tag: Option<String>,
    /// Number of nodes this one stands for once aliases are expanded.
    pub(crate) weight: u64,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar, with its text as written (after unquoting) and whether it was quoted.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order (duplicate keys are kept).
    Map(Vec<(Node, Node)>),
    /// An alias to an anchored node (shared, never copied).
    Alias(Arc<Node>),
}

/// A scalar value.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The text after unquoting and folding.
    pub text: String,
    /// True when written in single or double quotes or as a block scalar.
    pub quoted: bool,
    /// The tag, such as `!reset` or `!!str`, when present.
    pub tag: Option<String>,
}

impl Node {
    /// Follows aliases to the node that holds the value.
    pub fn resolve(&self) -> &Node {
        let mut n = self;
        // Aliases point at finished nodes, so chains are short; bound anyway.
        for _ in 0..64 {
            match &n.value {
                Value::Alias(target) => n = target,
                _ => return n,
            }
        }
        n
    }

    /// The byte range where the node is written.
    pub fn range(&self) -> TextRange {
        self.span.range
    }

    /// The scalar text, for any scalar (quoted or not), except null.
    pub fn as_str(&self) -> Option<&str> {
        match &self.resolve().value {
            Value::Scalar(s) if !s.is_null() => Some(&s.text),
            _ => None,
        }
    }

    /// The scalar, when this is one (including null).
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.resolve().value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// True for `null`, `~` and empty plain scalars.
    pub fn is_null(&self) -> bool {
        matches!(&self.resolve().value, Value::Scalar(s) if s.is_null())
    }

    /// A plain `true`/`false` (YAML 1.2 core schema, any case).
    pub fn as_bool(&self) -> Option<bool> {
        let s = self.as_scalar()?;
        if s.quoted {
            return None;
        }
        match s.text.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// An integer (decimal, possibly quoted, or `0x`/`0o`).
    pub fn as_i64(&self) -> Option<i64> {
        let t = self.as_str()?.trim();
        if let Some(h) = t.strip_prefix("0x") {
            return i64::from_str_radix(h, 16).ok();
        }
        if let Some(o) = t.strip_prefix("0o") {
            return i64::from_str_radix(o, 8).ok();
        }
        t.strip_prefix('+').unwrap_or(t).parse().ok()
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.resolve().value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// True when this node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.resolve().value, Value::Map(_))
    }

    /// True when this node is a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.resolve().value, Value::Seq(_))
    }

    /// The entries of a mapping in source order, with `<<` merge keys expanded
    /// (own keys first, then merged ones not overridden).
    pub fn entries(&self) -> Vec<(&Node, &Node)> {
        let mut out = Vec::new();
        self.collect_entries(&mut out, 0);
        out
    }

    fn collect_entries<'a>(&'a self, out: &mut Vec<(&'a Node, &'a Node)>, depth: u32) {
        let Value::Map(entries) = &self.resolve().value else {
            return;
        };
        let mut merges = Vec::new();
        for (k, v) in entries {
            if is_merge_key(k) {
                merges.push(v);
            } else {
                out.push((k, v));
            }
        }
        if depth > 16 {
            return;
        }
        for m in merges {
            let sources: Vec<&Node> = if m.is_seq() {
                m.items().iter().collect()
            } else {
                vec![m]
            };
            for src in sources {
                let mut merged = Vec::new();
                src.collect_entries(&mut merged, depth + 1);
                for (k, v) in merged {
                    let key = k.as_str();
                    if !out.iter().any(|(ok, _)| ok.as_str() == key) {
                        out.push((k, v));
                    }
                }
            }
        }
    }

    /// The value under `key` in a mapping (first occurrence; merge keys honoured).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The key node and value under `key`.
    pub fn get_entry(&self, key: &str) -> Option<(&Node, &Node)> {
        let Value::Map(entries) = &self.resolve().value else {
            return None;
        };
        let mut has_merge = false;
        for (k, v) in entries {
            if k.as_str() == Some(key) && !matches!(k.as_scalar(), Some(s) if s.is_null()) {
                return Some((k, v));
            }
            has_merge |= is_merge_key(k);
        }
        if has_merge {
            return self
                .entries()
                .into_iter()
                .find(|(k, _)| k.as_str() == Some(key));
        }
        None
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// Visits this node and every node below it (aliases followed, bounded by the
    /// expansion limit checked at parse time). Keys are visited too.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Node)) {
        f(self);
        match &self.resolve().value {
            Value::Seq(items) => items.iter().for_each(|n| n.walk(f)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                k.walk(f);
                v.walk(f);
            }),
            _ => {}
        }
    }
}

impl Scalar {
    /// True for `null`, `~` and empty plain scalars.
    pub fn is_null(&self) -> bool {
        !self.quoted && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

fn is_merge_key(k: &Node) -> bool {
    matches!(k.as_scalar(), Some(s) if !s.quoted && s.text == "<<")
}
