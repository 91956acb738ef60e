//! YAML → a small tree where every node has a position, built from saphyr's event stream.
//!
//! Building the tree ourselves (rather than with saphyr's loader) lets us bound nesting depth
//! and node count (alias bombs), report duplicate keys with both positions, reject a second
//! document, and expand `${…}` in every scalar that is not a key, right after parsing.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::ScalarOwned;
use saphyr_parser::{Event, Parser, Tag};

use crate::ast::Pos;
use crate::ctx::Ctx;
use crate::error::{Mark, Span};
use crate::interp::{EnvIssue, expand};

/// Most nodes a plan may have, counting alias expansions.
pub(crate) const MAX_NODES: usize = 1_000_000;
/// Deepest nesting of sequences and mappings.
pub(crate) const MAX_DEPTH: usize = 128;
/// Most bytes of scalar text a plan may hold, counting alias expansions and `${…}`
/// values: a small file whose large anchor is aliased many times stays inside the node
/// limit but would expand to gigabytes.
pub(crate) const MAX_EXPANDED_BYTES: usize = 16 * 1024 * 1024;

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (after `${…}` expansion).
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub kind: Kind,
    /// Where it is written.
    pub span: Span,
    /// A string scalar whose text came (partly) from `${…}`: its value is never quoted in
    /// error messages, since it may be a secret.
    pub expanded: bool,
}

impl Node {
    /// Start position (1-based line and column).
    pub fn pos(&self) -> Pos {
        Pos {
            line: self.span.start.line,
            column: self.span.start.col + 1,
        }
    }

    /// What kind of node this is, for messages ("a string", "a mapping"…).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// A scalar as text (mapping keys, ids); `None` for collections and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Null | Kind::Seq(_) | Kind::Map(_) => None,
        }
    }
}

fn mark(m: &saphyr_parser::Marker) -> Mark {
    Mark {
        line: u32::try_from(m.line()).unwrap_or(u32::MAX),
        col: u32::try_from(m.col()).unwrap_or(u32::MAX),
    }
}

fn span(s: &saphyr_parser::Span) -> Span {
    Span {
        start: mark(&s.start),
        end: mark(&s.end),
    }
}

/// An open collection while building.
enum Frame {
    Seq {
        start: Mark,
        items: Vec<Node>,
        anchor: usize,
        created_at: usize,
        bytes_at: usize,
    },
    Map {
        start: Mark,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Each key's text and the line it was first defined on (duplicate keys).
        seen: HashMap<String, u32>,
        anchor: usize,
        created_at: usize,
        bytes_at: usize,
    },
}

struct Builder<'c, 'e> {
    ctx: &'c mut Ctx<'e>,
    stack: Vec<Frame>,
    /// Anchor id → (node, its node count, its bytes of scalar text).
    anchors: HashMap<usize, (Node, usize, usize)>,
    nodes: usize,
    /// Bytes of scalar text so far, counting alias expansions.
    bytes: usize,
    root: Option<Node>,
}

/// Parse the first (and only) document of `src`. Problems are recorded in `ctx`; `None`
/// when the document could not be built at all.
pub(crate) fn parse(src: &str, ctx: &mut Ctx<'_>) -> Option<Node> {
    let mut b = Builder {
        ctx,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        bytes: 0,
        root: None,
    };
    let mut documents = 0;
    for item in Parser::new_from_str(src) {
        let (event, sp) = match item {
            Ok(x) => x,
            Err(e) => {
                let at = mark(e.marker());
                b.ctx.error(
                    Span { start: at, end: at },
                    format!("invalid YAML: {}", e.info()),
                    "the YAML parser stopped here",
                );
                return None;
            }
        };
        let sp = span(&sp);
        let ok = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => true,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    b.ctx.error(
                        sp,
                        "a plan file holds a single YAML document",
                        "a second document starts here",
                    );
                    break;
                }
                true
            }
            Event::Alias(id) => b.alias(id, sp),
            Event::Scalar(value, style, anchor, tag) => b.scalar(value, style, anchor, tag, sp),
            Event::SequenceStart(anchor, tag) => b.open(false, anchor, tag.as_deref(), sp),
            Event::MappingStart(anchor, tag) => b.open(true, anchor, tag.as_deref(), sp),
            Event::SequenceEnd | Event::MappingEnd => b.close(sp),
        };
        if !ok {
            return None;
        }
    }
    if b.root.is_none() {
        b.ctx.error(
            Span::default(),
            "the plan is empty",
            "expected a mapping with `name` and `checks`",
        );
    }
    b.root
}

impl Builder<'_, '_> {
    fn count(&mut self, n: usize, bytes: usize, sp: Span) -> bool {
        self.nodes += n;
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > MAX_EXPANDED_BYTES {
            self.ctx.error(
                sp,
                format!(
                    "the plan expands to more than {} MiB of text (counting alias expansions)",
                    MAX_EXPANDED_BYTES / (1024 * 1024)
                ),
                "limit reached here",
            );
            return false;
        }
        if self.nodes > MAX_NODES {
            self.ctx.error(
                sp,
                format!(
                    "the plan has more than {MAX_NODES} YAML nodes (counting alias expansions)"
                ),
                "limit reached here",
            );
            return false;
        }
        true
    }

    fn check_tag(&mut self, tag: Option<&Tag>, sp: Span) -> bool {
        match tag {
            Some(t) if !t.is_yaml_core_schema() => {
                self.ctx.error(
                    sp,
                    format!("YAML tag `{t}` is not supported in plans"),
                    "tag",
                );
                false
            }
            _ => true,
        }
    }

    fn open(&mut self, is_map: bool, anchor: usize, tag: Option<&Tag>, sp: Span) -> bool {
        self.check_tag(tag, sp);
        if self.stack.len() >= MAX_DEPTH {
            self.ctx.error(
                sp,
                format!("the plan nests deeper than {MAX_DEPTH} levels"),
                "too deep",
            );
            return false;
        }
        if !self.count(1, 0, sp) {
            return false;
        }
        let created_at = self.nodes;
        let bytes_at = self.bytes;
        self.stack.push(if is_map {
            Frame::Map {
                start: sp.start,
                entries: Vec::new(),
                key: None,
                seen: HashMap::new(),
                anchor,
                created_at,
                bytes_at,
            }
        } else {
            Frame::Seq {
                start: sp.start,
                items: Vec::new(),
                anchor,
                created_at,
                bytes_at,
            }
        });
        true
    }

    fn close(&mut self, sp: Span) -> bool {
        let Some(frame) = self.stack.pop() else {
            return true;
        };
        let (kind, start, anchor, created_at, bytes_at) = match frame {
            Frame::Seq {
                start,
                items,
                anchor,
                created_at,
                bytes_at,
            } => (Kind::Seq(items), start, anchor, created_at, bytes_at),
            Frame::Map {
                start,
                entries,
                anchor,
                created_at,
                bytes_at,
                ..
            } => (Kind::Map(entries), start, anchor, created_at, bytes_at),
        };
        let node = Node {
            kind,
            span: Span { start, end: sp.end },
            expanded: false,
        };
        let size = self.nodes - created_at + 1;
        let bytes = self.bytes - bytes_at;
        self.place(node, anchor, size, bytes);
        true
    }

    fn alias(&mut self, id: usize, sp: Span) -> bool {
        let Some(&(_, size, bytes)) = self.anchors.get(&id) else {
            self.ctx
                .error(sp, "unknown YAML alias", "no anchor with this name");
            return false;
        };
        // Count before cloning: the bound must hold before the memory is taken.
        if !self.count(size, bytes, sp) {
            return false;
        }
        let Some((node, _, _)) = self.anchors.get(&id).cloned() else {
            return false;
        };
        let node = Node { span: sp, ..node };
        self.place(node, 0, size, bytes);
        true
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: saphyr_parser::ScalarStyle,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
        sp: Span,
    ) -> bool {
        if !self.count(1, value.len(), sp) {
            return false;
        }
        let tag_ok = self.check_tag(tag.as_deref(), sp);
        let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
        let shown = value.to_string();
        let parsed = if tag_ok {
            ScalarOwned::parse_from_cow_and_metadata(value, style, tag.as_ref())
        } else {
            Some(ScalarOwned::Null)
        };
        let kind = match parsed {
            None => {
                let t = tag.as_deref().map(ToString::to_string).unwrap_or_default();
                self.ctx
                    .error(sp, format!("`{shown}` is not a valid {t}"), "invalid value");
                Kind::Null
            }
            Some(ScalarOwned::Null) => Kind::Null,
            Some(ScalarOwned::Boolean(b)) => Kind::Bool(b),
            Some(ScalarOwned::Integer(i)) => Kind::Int(i),
            Some(ScalarOwned::FloatingPoint(f)) => Kind::Float(f.into_inner()),
            Some(ScalarOwned::String(s)) => Kind::Str(s),
        };
        let mut node = Node {
            kind,
            span: sp,
            expanded: false,
        };
        if !is_key && let Kind::Str(s) = &node.kind {
            let e = expand(s, self.ctx.env);
            self.report_env(&e.issues, sp);
            node.expanded = e.substituted;
            let grown = e.text.len().saturating_sub(s.len());
            node.kind = Kind::Str(e.text);
            if !self.count(0, grown, sp) {
                return false;
            }
        }
        let bytes = match &node.kind {
            Kind::Str(s) => s.len(),
            _ => 0,
        };
        self.place(node, anchor, 1, bytes);
        true
    }

    fn report_env(&mut self, issues: &[EnvIssue], sp: Span) {
        for issue in issues {
            match issue {
                EnvIssue::Unset(name) => {
                    self.ctx.error_help(
                        sp,
                        format!("environment variable `{name}` is not set"),
                        format!("`${{{name}}}` has no default"),
                        format!("set `{name}`, or give a default: `${{{name}:-value}}`"),
                    );
                    self.ctx.tag_unset(name);
                }
                EnvIssue::Required(name, message) => {
                    let message = if message.is_empty() {
                        format!("environment variable `{name}` is required")
                    } else {
                        format!("environment variable `{name}` is required: {message}")
                    };
                    self.ctx
                        .error(sp, message, format!("`{name}` is unset or empty"));
                }
                EnvIssue::Syntax(message) => self.ctx.error(sp, message.clone(), "in this value"),
            }
        }
    }

    /// Put a finished node into its parent (or make it the document root).
    fn place(&mut self, node: Node, anchor: usize, size: usize, bytes: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size, bytes));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => {
                    // One lookup per key: a scan of the entries made a wide mapping
                    // quadratic (200,000 keys took minutes).
                    if let Some(text) = node.scalar_text() {
                        match seen.get(&text) {
                            Some(&line) => self.ctx.error(
                                node.span,
                                format!("duplicate key `{text}`"),
                                format!("first defined on line {line}"),
                            ),
                            None => {
                                seen.insert(text, node.span.start.line);
                            }
                        }
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
}
