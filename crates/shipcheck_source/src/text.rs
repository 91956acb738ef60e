//! Files, ranges and the byte-offset → line/column index.

use std::fmt;

/// Identifies one [`SourceFile`] inside a lint run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A half-open range of byte offsets into one file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TextRange {
    /// Start byte offset (inclusive).
    pub start: u32,
    /// End byte offset (exclusive).
    pub end: u32,
}

impl TextRange {
    /// A range from `start` to `end` (swapped if given in the wrong order).
    pub fn new(start: u32, end: u32) -> Self {
        if end < start {
            Self {
                start: end,
                end: start,
            }
        } else {
            Self { start, end }
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// Builds a range from `usize` offsets, saturating at `u32::MAX`.
    pub fn from_usize(start: usize, end: usize) -> Self {
        let c = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self::new(c(start), c(end))
    }

    /// Length in bytes.
    pub fn len(&self) -> u32 {
        self.end - self.start
    }

    /// True when the range is empty.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when `other` lies inside `self`.
    pub fn contains_range(&self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest range covering both.
    pub fn cover(&self, other: TextRange) -> TextRange {
        TextRange::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A range inside a particular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// Byte range in that file.
    pub range: TextRange,
}

impl Span {
    /// A span in `file` covering `range`.
    pub fn new(file: FileId, range: TextRange) -> Self {
        Self { file, range }
    }
}

/// A 1-based line and 1-based column (counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Start offsets of every line, for converting byte offsets to positions and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    ascii: bool,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        Self {
            line_starts,
            ascii: text.is_ascii(),
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }

    /// Number of lines (a trailing newline starts an empty last line).
    pub fn line_count(&self) -> u32 {
        u32::try_from(self.line_starts.len()).unwrap_or(u32::MAX)
    }

    /// The 1-based line and character column of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line0 = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line0).copied().unwrap_or(0);
        let col = if self.ascii {
            offset - start
        } else {
            let s = floor_char_boundary(text, start as usize);
            let e = floor_char_boundary(text, offset as usize);
            u32::try_from(text.get(s..e).map_or(0, |t| t.chars().count())).unwrap_or(u32::MAX)
        };
        LineCol {
            line: u32::try_from(line0 + 1).unwrap_or(u32::MAX),
            column: col + 1,
        }
    }

    /// The byte offset of 1-based `line` and 0-based character column `col`.
    pub fn offset(&self, text: &str, line: usize, col: usize) -> u32 {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.len;
        };
        if self.ascii {
            return (start.saturating_add(u32::try_from(col).unwrap_or(u32::MAX))).min(self.len);
        }
        let rest = text.get(start as usize..).unwrap_or("");
        let within = rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i);
        start
            .saturating_add(u32::try_from(within).unwrap_or(u32::MAX))
            .min(self.len)
    }

    /// The byte range of 1-based `line`, without its line terminator.
    pub fn line_range(&self, text: &str, line: u32) -> TextRange {
        let i = line.saturating_sub(1) as usize;
        let Some(&start) = self.line_starts.get(i) else {
            return TextRange::empty(self.len);
        };
        let mut end = self.line_starts.get(i + 1).map_or(self.len, |&e| e);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end as usize - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        TextRange::new(start, end)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// What kind of deployment artifact a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// Kubernetes manifests (YAML with `apiVersion`/`kind`).
    Kubernetes,
    /// A docker-compose / compose file.
    Compose,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// A `.env` file; `template` when named `.example`/`.sample`/`.template`.
    Env {
        /// True for templates meant to be copied (`.env.example`…).
        template: bool,
    },
    /// Not a kind shipcheck lints.
    Unknown,
}

impl FileKind {
    /// A short lowercase name (`kubernetes`, `compose`, `dockerfile`, `env`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Kubernetes => "kubernetes",
            FileKind::Compose => "compose",
            FileKind::Dockerfile => "dockerfile",
            FileKind::Env { .. } => "env",
            FileKind::Unknown => "unknown",
        }
    }
}

/// One input file: its display path, text, kind and line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Identifier within the run.
    pub id: FileId,
    /// Path as given on the command line (or the helm template name).
    pub path: String,
    /// Full text (lossily decoded as UTF-8).
    pub text: String,
    /// Detected kind.
    pub kind: FileKind,
    /// Line index of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Builds a source file and indexes its lines.
    pub fn new(id: FileId, path: impl Into<String>, text: String, kind: FileKind) -> Self {
        let lines = LineIndex::new(&text);
        Self {
            id,
            path: path.into(),
            text,
            kind,
            lines,
        }
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// The text of `range` (empty if out of bounds).
    pub fn slice(&self, range: TextRange) -> &str {
        self.text
            .get(range.start as usize..range.end as usize)
            .unwrap_or("")
    }

    /// A span in this file.
    pub fn span(&self, range: TextRange) -> Span {
        Span::new(self.id, range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_ascii_and_unicode() {
        let text = "ab\ncdé\nfg";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 4), LineCol { line: 2, column: 2 });
        // 'f' is at byte 8 (é is two bytes)
        assert_eq!(idx.line_col(text, 8), LineCol { line: 3, column: 1 });
        assert_eq!(idx.line_col(text, 7), LineCol { line: 2, column: 4 });
        assert_eq!(idx.offset(text, 2, 3), 7);
        assert_eq!(idx.offset(text, 3, 1), 9);
        assert_eq!(idx.line_range(text, 2), TextRange::new(3, 7));
    }

    #[test]
    fn crlf_line_range() {
        let text = "a: 1\r\nb: 2\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_range(text, 1), TextRange::new(0, 4));
        assert_eq!(idx.line_col(text, 6), LineCol { line: 2, column: 1 });
    }
}
