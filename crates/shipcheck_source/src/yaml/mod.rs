//! Span-aware YAML: multi-document streams parsed with saphyr-parser into a [`Node`] tree.
//!
//! Every node carries its [`Span`](crate::Span) in bytes. Aliases are shared, not copied,
//! and a document whose aliases would expand to more than [`MAX_EXPANDED_NODES`] nodes is rejected,
//! so an alias bomb costs neither time nor memory.

mod build;
mod node;

pub use build::{Document, MAX_EXPANDED_NODES, YamlError, YamlStream, parse_yaml};
pub use node::{Node, Scalar, Value};

#[cfg(test)]
mod tests;
