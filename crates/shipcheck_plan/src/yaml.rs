//! The plan's typed view of the one YAML tree: `shipcheck_source` parses the file (spans,
//! shared aliases, the alias-bomb bound, nesting), and this module types its scalars by the
//! YAML 1.2 core schema, expands `${…}` in every scalar that is not a key, reports duplicate
//! keys with both positions, rejects tags and a second document, and bounds the text the
//! plan expands to. Positions come from the source file's line index.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use saphyr::ScalarOwned;
use saphyr_parser::{ScalarStyle, Tag};
use shipcheck_source::yaml::{self as tree, Value};
use shipcheck_source::{FileId, FileKind, SourceFile, TextRange};

use crate::ast::Pos;
use crate::ctx::Ctx;
use crate::error::{Mark, Span};
use crate::interp::{EnvIssue, expand};

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
    fn new(kind: Kind, span: Span) -> Self {
        Self {
            kind,
            span,
            expanded: false,
        }
    }

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

/// The core-schema tag prefix (`!!str` is `tag:yaml.org,2002:str`).
const CORE_TAG: &str = "tag:yaml.org,2002:";

/// Parse the first (and only) document of `src`. Problems are recorded in `ctx`; `None`
/// when the document could not be built at all.
pub(crate) fn parse(src: &str, ctx: &mut Ctx<'_>) -> Option<Node> {
    let file = SourceFile::new(FileId(0), "plan", src.to_owned(), FileKind::Unknown);
    let stream = tree::parse_yaml(&file);
    let mut t = Typer {
        ctx,
        file: &file,
        anchors: HashMap::new(),
        bytes: 0,
    };
    let second = stream.documents.get(1).map(|d| d.range.start);
    if let Some(e) = stream
        .error
        .as_ref()
        .filter(|e| second.is_none_or(|s| e.range.start < s))
    {
        let at = t.span(e.range);
        t.ctx.error(
            at,
            format!("invalid YAML: {}", e.message),
            "the YAML parser stopped here",
        );
        return None;
    }
    let Some(doc) = stream.documents.first() else {
        t.ctx.error(
            Span::default(),
            "the plan is empty",
            "expected a mapping with `name` and `checks`",
        );
        return None;
    };
    let root = t.node(&doc.root, false, 0).map(|(node, _)| node);
    if let Some(start) = second {
        let marker = if file.text[start as usize..].starts_with("---") {
            3
        } else {
            0
        };
        let at = t.span(TextRange::new(start, start + marker));
        t.ctx.error(
            at,
            "a plan file holds a single YAML document",
            "a second document starts here",
        );
    }
    root
}

/// Types the source tree into plan [`Node`]s.
struct Typer<'c, 'e, 'f> {
    ctx: &'c mut Ctx<'e>,
    file: &'f SourceFile,
    /// Anchored nodes already typed (by address in the shared tree), with their bytes of
    /// text: an alias is typed once, its `${…}` problems reported once.
    anchors: HashMap<*const tree::Node, (Node, usize)>,
    /// Bytes of scalar text so far, counting alias expansions.
    bytes: usize,
}

impl Typer<'_, '_, '_> {
    fn mark(&self, offset: u32) -> Mark {
        let lc = self.file.lines.line_col(&self.file.text, offset);
        Mark {
            line: lc.line,
            col: lc.column.saturating_sub(1),
            offset,
        }
    }

    fn span(&self, r: TextRange) -> Span {
        Span {
            start: self.mark(r.start),
            end: self.mark(r.end),
        }
    }

    /// Adds `bytes` of expanded text; false (with an error) past the limit.
    fn count(&mut self, bytes: usize, sp: Span) -> bool {
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
        true
    }

    /// False (with an error) for a tag outside the YAML core schema.
    fn check_tag(&mut self, tag: Option<&str>, sp: Span) -> bool {
        match tag {
            Some(t) if !t.starts_with(CORE_TAG) => {
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

    /// Types `n` (a key when `is_key`), returning the node and its bytes of text; `None`
    /// when a limit stopped the build.
    fn node(&mut self, n: &tree::Node, is_key: bool, depth: usize) -> Option<(Node, usize)> {
        let sp = self.span(n.range());
        if depth >= MAX_DEPTH {
            self.ctx.error(
                sp,
                format!("the plan nests deeper than {MAX_DEPTH} levels"),
                "too deep",
            );
            return None;
        }
        match &n.value {
            Value::Alias(target) => {
                let key = Arc::as_ptr(target);
                let (node, bytes) = match self.anchors.get(&key) {
                    Some(done) => {
                        let bytes = done.1;
                        // Count before cloning: the bound holds before the memory is taken.
                        if !self.count(bytes, sp) {
                            return None;
                        }
                        self.anchors.get(&key).cloned()?
                    }
                    None => {
                        let done = self.node(target, is_key, depth)?;
                        self.anchors.insert(key, done.clone());
                        done
                    }
                };
                Some((Node { span: sp, ..node }, bytes))
            }
            Value::Scalar(s) => self.scalar(s, is_key, sp),
            Value::Seq(items) => {
                self.check_tag(n.tag.as_deref(), sp);
                let (mut out, mut bytes) = (Vec::with_capacity(items.len()), 0);
                for item in items {
                    let (node, b) = self.node(item, false, depth + 1)?;
                    out.push(node);
                    bytes += b;
                }
                Some((Node::new(Kind::Seq(out), sp), bytes))
            }
            Value::Map(entries) => {
                self.check_tag(n.tag.as_deref(), sp);
                let (mut out, mut bytes) = (Vec::with_capacity(entries.len()), 0);
                // Each key's text and the line it was first defined on: one lookup per key
                // (a scan of the entries made a wide mapping quadratic).
                let mut seen: HashMap<String, u32> = HashMap::new();
                for (k, v) in entries {
                    let (key, kb) = self.node(k, true, depth + 1)?;
                    if let Some(text) = key.scalar_text() {
                        match seen.get(&text) {
                            Some(&line) => self.ctx.error(
                                key.span,
                                format!("duplicate key `{text}`"),
                                format!("first defined on line {line}"),
                            ),
                            None => {
                                seen.insert(text, key.span.start.line);
                            }
                        }
                    }
                    let (value, vb) = self.node(v, false, depth + 1)?;
                    out.push((key, value));
                    bytes += kb + vb;
                }
                Some((Node::new(Kind::Map(out), sp), bytes))
            }
        }
    }

    fn scalar(&mut self, s: &tree::Scalar, is_key: bool, sp: Span) -> Option<(Node, usize)> {
        if !self.count(s.text.len(), sp) {
            return None;
        }
        let tag_ok = self.check_tag(s.tag.as_deref(), sp);
        let tag = s
            .tag
            .as_deref()
            .and_then(|t| t.strip_prefix(CORE_TAG))
            .map(|suffix| {
                Cow::Owned(Tag {
                    handle: CORE_TAG.to_owned(),
                    suffix: suffix.to_owned(),
                })
            });
        // Quoted and block scalars are strings whatever their text; the style only matters
        // as plain or not.
        let style = if s.quoted {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::Plain
        };
        let parsed = if tag_ok {
            ScalarOwned::parse_from_cow_and_metadata(Cow::Borrowed(&s.text), style, tag.as_ref())
        } else {
            Some(ScalarOwned::Null)
        };
        let kind = match parsed {
            None => {
                let t = s.tag.as_deref().unwrap_or_default();
                self.ctx.error(
                    sp,
                    format!("`{}` is not a valid {t}", s.text),
                    "invalid value",
                );
                Kind::Null
            }
            Some(ScalarOwned::Null) => Kind::Null,
            Some(ScalarOwned::Boolean(b)) => Kind::Bool(b),
            Some(ScalarOwned::Integer(i)) => Kind::Int(i),
            Some(ScalarOwned::FloatingPoint(f)) => Kind::Float(f.into_inner()),
            Some(ScalarOwned::String(s)) => Kind::Str(s),
        };
        let mut node = Node::new(kind, sp);
        if !is_key && let Kind::Str(text) = &node.kind {
            let e = expand(text, self.ctx.env);
            self.report_env(&e.issues, sp);
            node.expanded = e.substituted;
            let grown = e.text.len().saturating_sub(text.len());
            node.kind = Kind::Str(e.text);
            if !self.count(grown, sp) {
                return None;
            }
        }
        let bytes = match &node.kind {
            Kind::Str(s) => s.len(),
            _ => 0,
        };
        Some((node, bytes))
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
}
