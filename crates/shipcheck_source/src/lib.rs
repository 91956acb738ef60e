//! Source files and span-aware parsers for `shipcheck lint`.
//!
//! This crate reads deployment artifacts and gives every node a byte [`Span`]:
//! - [`text`]: [`SourceFile`], [`FileId`], [`TextRange`], [`LineIndex`] (bytes → 1-based line/column);
//! - [`yaml`]: multi-document YAML trees with bounded alias expansion;
//! - [`dockerfile`]: instructions, parser directives, continuations, heredocs, exec/shell form;
//! - [`dotenv`]: `.env` entries with comments, quotes and `export`;
//! - [`helm`]: splitting a `helm template` stream at its `# Source:` comments;
//! - [`discover`] and [`kind`]: walking paths (honouring `.gitignore`) and detecting file kinds.
//!
//! It does not judge anything (rules live in `shipcheck_lint`) and does not print.

pub mod discover;
pub mod dockerfile;
pub mod dotenv;
mod error;
pub mod helm;
pub mod kind;
pub mod text;
pub mod yaml;

pub use error::SourceError;
pub use text::{FileId, FileKind, LineCol, LineIndex, SourceFile, Span, TextRange};
