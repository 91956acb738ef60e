//! Plan errors: every problem found in a plan, with file:line:column and a code frame.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use shipcheck_report::Redactor;

/// One problem in a plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The plan file.
    pub path: PathBuf,
    /// 1-based line (0 when the error has no position, e.g. the file cannot be read).
    pub line: u32,
    /// 1-based column, in characters (0 when the error has no position).
    pub column: u32,
    /// What is wrong (a lowercase fragment).
    pub message: String,
    /// Short text shown under the offending node in the code frame.
    pub label: String,
    /// An optional hint shown after the code frame (e.g. the allowed keys).
    pub help: Option<String>,
    /// Byte range of the offending node in the plan source (empty when there is no position).
    pub span: Range<usize>,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

/// Every problem found in a plan; [`fmt::Display`] renders each with a code frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanErrors {
    /// The problems, in source order.
    pub errors: Vec<PlanError>,
    /// The plan source the spans refer to (empty when the file could not be read).
    pub source: String,
}

impl PlanErrors {
    /// Masks URL passwords and copies of declared secret values wherever the errors would
    /// show them: in the source of the code frames (byte for byte, so spans stay valid)
    /// and in messages, labels and hints.
    pub(crate) fn mask_secrets(&mut self, secrets: &[String]) {
        let mut redactor = Redactor::new();
        for s in secrets {
            redactor.add_secret(s);
        }
        self.source = redactor.mask_same_length(&self.source);
        for e in &mut self.errors {
            e.message = redactor.redact_str(&e.message);
            e.label = redactor.redact_str(&e.label);
            e.help = e.help.as_deref().map(|h| redactor.redact_str(h));
        }
    }

    /// Render one error as `error: message`, the file position and the code frame (plain text).
    fn render_one(&self, e: &PlanError) -> String {
        let path = e.path.display().to_string();
        let title = Level::ERROR.primary_title(e.message.as_str());
        let mut group: Group<'_> = match self.frame(e) {
            Some((text, line_start, span)) => title.element(
                Snippet::source(text)
                    .line_start(line_start)
                    .path(path)
                    .annotation(AnnotationKind::Primary.span(span).label(e.label.as_str())),
            ),
            None => title.element(Origin::path(path)),
        };
        if let Some(help) = &e.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        Renderer::plain().render(&[group])
    }

    /// The source lines around an error (from the start of its first line to the end of its
    /// last), the first line's number and the span relative to that text.
    fn frame(&self, e: &PlanError) -> Option<(&str, usize, Range<usize>)> {
        let src = self.source.as_str();
        if e.line == 0 || e.span.start > src.len() || e.span.end > src.len() {
            return None;
        }
        let start = src[..e.span.start].rfind('\n').map_or(0, |i| i + 1);
        let end = src[e.span.end..]
            .find('\n')
            .map_or(src.len(), |i| e.span.end + i);
        let text = src[start..end].trim_end_matches('\r');
        let span = (e.span.start - start)..(e.span.end - start).min(text.len());
        Some((text, e.line as usize, span))
    }
}

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{}", self.render_one(e))?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanErrors {}

/// A position in the plan: 1-based line, 0-based character column, and the byte offset
/// they stand for (from the source file's line index).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    /// 1-based line (0: no position).
    pub line: u32,
    /// 0-based column in characters.
    pub col: u32,
    /// Byte offset in the plan source.
    pub offset: u32,
}

/// Start and end of a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// First character.
    pub start: Mark,
    /// One past the last character.
    pub end: Mark,
}

/// An error before positions are turned into byte ranges.
#[derive(Debug, Clone)]
pub(crate) struct RawError {
    pub(crate) span: Span,
    pub(crate) message: String,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
    /// The environment variable this error says is unset, so that each unset variable is
    /// reported once however often the plan uses it.
    pub(crate) unset: Option<String>,
}

/// End of the line holding byte `offset`, without trailing whitespace.
fn line_end(src: &str, offset: usize) -> usize {
    let rest = &src[offset..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    offset + line.trim_end().len()
}

/// Byte offset of a mark, clamped to the source.
fn offset(src: &str, m: Mark) -> usize {
    let mut at = (m.offset as usize).min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The source text of a single-line span (a plain scalar as written), if it has one.
pub(crate) fn source_text(src: &str, span: Span) -> Option<&str> {
    if span.start.line != span.end.line || span.start.line == 0 {
        return None;
    }
    let (start, end) = (offset(src, span.start), offset(src, span.end));
    src.get(start..end).map(str::trim).filter(|s| !s.is_empty())
}

/// Turn raw errors into [`PlanErrors`], sorted by position.
pub(crate) fn finish(path: &std::path::Path, src: &str, mut raw: Vec<RawError>) -> PlanErrors {
    raw.sort_by_key(|e| e.span.start);
    let errors = raw
        .into_iter()
        .map(|e| {
            let start = offset(src, e.span.start);
            let mut end = if e.span.end.line == e.span.start.line {
                offset(src, e.span.end)
            } else {
                // A node spanning several lines (a block mapping): underline its first line.
                line_end(src, start)
            };
            // Never underline trailing blanks; keep at least one character when possible.
            end = start + src[start..end.max(start)].trim_end().len();
            if end == start {
                end = src[start..].chars().next().map_or(start, |c| {
                    if c == '\n' {
                        start
                    } else {
                        start + c.len_utf8()
                    }
                });
            }
            PlanError {
                path: path.to_path_buf(),
                line: e.span.start.line.max(1),
                column: e.span.start.col + 1,
                message: e.message,
                label: e.label,
                help: e.help,
                span: start..end,
            }
        })
        .collect();
    PlanErrors {
        errors,
        source: src.to_owned(),
    }
}
