//! The shipcheck plan language (see `docs/plan.md`).
//!
//! Responsibilities: read a plan file, expand `${…}` from the environment, validate it
//! (unknown keys, wrong types, bad durations and sizes, duplicate ids, unknown or cyclic
//! `needs`, undefined variables, missing environment variables and secrets) with
//! file:line:column errors and code frames, and produce the checked [`Plan`] AST. Every
//! problem is collected and reported at once ([`PlanErrors`]). Resolves `{{ name }}`
//! templates at run time through [`template`].
//!
//! Non-responsibilities: running anything, networking, printing (the caller prints
//! [`PlanErrors`] with `Display`), reading the process environment (the caller passes a
//! lookup function).
//!
//! ```
//! use std::path::Path;
//! let src = "name: demo\nchecks:\n  - id: live\n    http: { get: \"${API:-http://127.0.0.1:8000}/health\" }\n    expect: { status: 200 }\n";
//! let plan = shipcheck_plan::load_str(src, Path::new("plan.yaml"), &|_| None).unwrap();
//! assert_eq!(plan.checks[0].id, "live");
//! ```

mod ast;
mod capture;
mod check;
mod ctx;
mod db_ast;
mod db_expect;
mod docs;
mod error;
mod expect;
mod file;
mod graph;
mod hygiene;
mod interp;
mod lint;
mod load;
mod net;
mod probe;
mod quantity;
pub mod template;
mod webhook;
mod ws;
mod yaml;

pub use ast::*;
pub use db_ast::*;
pub use docs::{LabelMatcher, parse_selector};
pub use error::{PlanError, PlanErrors};
pub use file::read_regular_file;
pub use load::{load_file, load_str};
pub use net::{TLS_VERSIONS, nameserver_addr};
pub use quantity::{parse_duration, parse_quantity};
