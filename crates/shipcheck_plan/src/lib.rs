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
//! let plan = shipcheck_plan::load_str(src, Path::new("plan.yaml"), &|_| None, shipcheck_probe::KINDS).unwrap();
//! assert_eq!(plan.checks[0].id, "live");
//! ```

mod ast;
mod capture;
mod check;
mod ctx;
mod error;
mod expect;
mod file;
mod graph;
mod interp;
pub mod kind;
mod lifecycle;
mod load;
mod probe;
mod quantity;
mod schema;
pub mod template;
mod yaml;

pub use ast::*;
pub use error::{PlanError, PlanErrors};
pub use file::read_regular_file;
pub use lifecycle::step_dir;
pub use load::{load_file, load_str};
pub use quantity::{format_duration, parse_duration, parse_quantity};
pub use schema::{PLAN_SCHEMA_ID, plan_schema};

/// What a probe kind's folder uses to parse its plan keys and expectations: the loader's
/// context (errors at positions, typed accessors), the YAML nodes, and the generic
/// predicate builder.
pub mod syntax {
    pub use crate::check::positive_duration;
    pub use crate::ctx::{Ctx, entry, get, shown, suggest};
    pub use crate::error::{Mark, Span};
    pub use crate::expect::{
        Target, duration as duration_predicates, json as json_predicates, predicates,
    };
    pub use crate::probe::{pairs, resolve};
    pub use crate::yaml::{Kind, Node};
}
