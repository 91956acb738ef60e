//! Builds the [`Node`] tree from saphyr-parser events, with a bound on alias expansion.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::text::{SourceFile, Span, TextRange};
use crate::yaml::node::{Node, Scalar, Value};

/// The most nodes a document's aliases may stand for once expanded (the nodes written in
/// the file are bounded by its size and not counted). Beyond this the input is rejected as
/// an alias bomb; the tree itself never copies aliased nodes, but a reader that expands
/// them (the plan loader) may.
pub const MAX_EXPANDED_NODES: u64 = 250_000;

/// Deepest nesting accepted.
const MAX_DEPTH: usize = 512;

/// All documents of a YAML stream, plus the error that stopped parsing, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlStream {
    /// Documents parsed before the end (or before the error).
    pub documents: Vec<Document>,
    /// The syntax error, or alias-bomb error, that ended parsing early.
    pub error: Option<YamlError>,
}

/// One document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based index in the stream.
    pub index: usize,
    /// The root node (a null scalar for an empty document).
    pub root: Node,
    /// The document's text range.
    pub range: TextRange,
}

/// A YAML error with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Lowercase description.
    pub message: String,
    /// Where the error was detected.
    pub range: TextRange,
}

struct Frame {
    is_map: bool,
    start: u32,
    anchor: usize,
    items: Vec<Node>,
    entries: Vec<(Node, Node)>,
    pending_key: Option<Node>,
    tag: Option<String>,
    weight: u64,
}

struct Builder<'a> {
    file: &'a SourceFile,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Arc<Node>>,
    root: Option<Node>,
    doc_start: u32,
    docs: Vec<Document>,
    /// Nodes the current document's aliases stand for, expanded.
    expanded: u64,
}

/// Parses every document of `file` (which must be YAML text).
pub fn parse_yaml(file: &SourceFile) -> YamlStream {
    let mut b = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        doc_start: 0,
        docs: Vec::new(),
        expanded: 0,
    };
    let mut parser = Parser::new_from_str(&file.text);
    let mut error = None;
    while let Some(ev) = parser.next_event() {
        match ev {
            Ok((event, span)) => {
                if let Err(e) = b.on_event(event, span.start, span.end) {
                    error = Some(e);
                    break;
                }
            }
            Err(e) => {
                let at = b.offset(e.marker());
                error = Some(YamlError {
                    message: e.info().to_owned(),
                    range: TextRange::empty(at),
                });
                break;
            }
        }
    }
    YamlStream {
        documents: b.docs,
        error,
    }
}

impl Builder<'_> {
    fn offset(&self, m: &Marker) -> u32 {
        self.file.lines.offset(&self.file.text, m.line(), m.col())
    }

    fn span(&self, start: u32, end: u32) -> Span {
        Span::new(self.file.id, TextRange::new(start, end))
    }

    fn on_event(&mut self, ev: Event<'_>, start: Marker, end: Marker) -> Result<(), YamlError> {
        let (s, e) = (self.offset(&start), self.offset(&end));
        match ev {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                self.doc_start = s;
                self.expanded = 0;
                self.anchors.clear();
                self.root = None;
                self.stack.clear();
            }
            Event::DocumentEnd => {
                let root = self.root.take().unwrap_or_else(|| Node {
                    value: Value::Scalar(Scalar {
                        text: String::new(),
                        quoted: false,
                        tag: None,
                    }),
                    span: self.span(self.doc_start, self.doc_start),
                    tag: None,
                    weight: 1,
                });
                let end = e.max(root.span.range.end);
                self.docs.push(Document {
                    index: self.docs.len(),
                    root,
                    range: TextRange::new(self.doc_start, end),
                });
            }
            Event::Scalar(text, style, anchor, tag) => {
                // The parser's end marker for quoted scalars lies past trailing blanks and
                // comments; end at the closing quote instead.
                let e = match style {
                    ScalarStyle::SingleQuoted => self.closing_quote(s, e, b'\''),
                    ScalarStyle::DoubleQuoted => self.closing_quote(s, e, b'"'),
                    _ => e,
                };
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted: !matches!(style, ScalarStyle::Plain),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    }),
                    span: self.span(s, e),
                    tag: None,
                    weight: 1,
                };
                self.push(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id).cloned() else {
                    return Err(YamlError {
                        message: "alias refers to an unknown or unfinished anchor".into(),
                        range: TextRange::new(s, e),
                    });
                };
                self.expanded = self.expanded.saturating_add(target.weight);
                if self.expanded > MAX_EXPANDED_NODES {
                    return Err(YamlError {
                        message: format!(
                            "aliases expand to more than {MAX_EXPANDED_NODES} nodes (possible alias bomb)"
                        ),
                        range: TextRange::new(s, e),
                    });
                }
                let node = Node {
                    weight: target.weight,
                    value: Value::Alias(target),
                    span: self.span(s, e),
                    tag: None,
                };
                self.push(node, 0)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        range: TextRange::new(s, e),
                    });
                }
                let is_map = matches!(ev, Event::MappingStart(..));
                self.stack.push(Frame {
                    is_map,
                    start: s,
                    anchor,
                    items: Vec::new(),
                    entries: Vec::new(),
                    pending_key: None,
                    tag: tag.as_ref().map(|t| format!("{}{}", t.handle, t.suffix)),
                    weight: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(f) = self.stack.pop() else {
                    return Ok(());
                };
                let last_end = if f.is_map {
                    f.entries.last().map(|(_, v)| v.span.range.end)
                } else {
                    f.items.last().map(|n| n.span.range.end)
                };
                // Flow collections end after their closing bracket; block ones at their
                // last child.
                let close = match self.file.text.as_bytes().get(f.start as usize) {
                    Some(b'[') => Some(b']'),
                    Some(b'{') => Some(b'}'),
                    _ => None,
                };
                let end = match close {
                    Some(c) => self.past_closing(last_end.unwrap_or(f.start + 1), c),
                    None => last_end.unwrap_or_else(|| e.max(f.start)),
                };
                let value = if f.is_map {
                    Value::Map(f.entries)
                } else {
                    Value::Seq(f.items)
                };
                let node = Node {
                    value,
                    span: self.span(f.start, end),
                    tag: f.tag,
                    weight: f.weight,
                };
                self.push(node, f.anchor)?;
            }
        }
        Ok(())
    }

    /// The offset just past the bracket `c` closing a flow collection, skipping blanks
    /// and commas from `from`; `from` when the bracket is not found there.
    fn past_closing(&self, from: u32, c: u8) -> u32 {
        let b = self.file.text.as_bytes();
        let mut i = from as usize;
        while b
            .get(i)
            .is_some_and(|x| x.is_ascii_whitespace() || *x == b',')
        {
            i += 1;
        }
        if b.get(i) == Some(&c) {
            u32::try_from(i + 1).unwrap_or(from)
        } else {
            from
        }
    }

    /// The offset just past the closing quote of a quoted scalar starting at `s`.
    fn closing_quote(&self, s: u32, e: u32, q: u8) -> u32 {
        let b = self.file.text.as_bytes();
        let (s, e) = (s as usize, (e as usize).min(b.len()));
        if b.get(s) != Some(&q) {
            return e as u32;
        }
        let mut i = s + 1;
        while i < e {
            match b[i] {
                b'\\' if q == b'"' => i += 2,
                c if c == q && q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
                c if c == q => return (i + 1) as u32,
                _ => i += 1,
            }
        }
        e as u32
    }

    fn push(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, Arc::new(node.clone()));
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        top.weight = top.weight.saturating_add(node.weight);
        if top.is_map {
            match top.pending_key.take() {
                None => top.pending_key = Some(node),
                Some(k) => top.entries.push((k, node)),
            }
        } else {
            top.items.push(node);
        }
        Ok(())
    }
}
