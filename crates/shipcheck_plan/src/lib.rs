//! The shipcheck plan language (see `docs/plan.md`).
//!
//! Responsibilities: read a plan file, expand `${…}` from the environment, validate it
//! (unknown keys, bad durations, duplicate ids, unknown or cyclic `needs`, undefined
//! variables, missing environment variables) with file:line:column errors and code frames,
//! and produce the checked [`Plan`] AST. Resolves `{{ name }}` templates at run time
//! through [`template`]. Non-responsibilities: running anything, networking, output.

mod ast;

pub use ast::*;
