//! shipcheck probes and the generic evaluation of expectations.
//!
//! A probe ([`observe`]) performs one attempt of a check — an HTTP exchange, a look at a
//! SQLite schema — and returns typed facts ([`Observation`]) with evidence and
//! measurements. It never judges success: [`evaluate`] applies the plan's assertions
//! (query + predicate) and [`capture`] extracts variables, generically, as hurl does.
//!
//! Non-responsibilities: scheduling, retries, concurrency and the global timeout (the
//! runner's job), printing, reading the environment.

mod assert;
mod capture;
mod db_assert;
mod db_facts;
pub mod kinds;
mod migrations;
mod observation;
mod probes;
mod value;

pub use assert::evaluate;
pub use capture::capture;
pub use db_facts::{DbColumn, DbFacts, MigrationState, RedisFacts};
pub use kinds::KINDS;
pub use observation::{Observation, ProbeError, SqliteSchema};
pub use probes::{ProbeContext, observe};
pub use shipcheck_plan::kind::{Facts, Observed};
