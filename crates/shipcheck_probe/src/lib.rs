//! shipcheck's probe kinds and the generic evaluation of expectations.
//!
//! Each probe kind lives in one folder under [`kinds`] and is listed once in [`KINDS`], the
//! registry the plan loader takes. A kind parses its plan keys and expectations, runs one
//! attempt ([`observe`]) and returns typed facts with evidence and measurements. It never
//! judges success: [`evaluate`] applies the plan's assertions (query + predicate) and
//! [`capture`] extracts variables, generically, as hurl does.
//!
//! Non-responsibilities: scheduling, retries, concurrency and the global timeout (the
//! runner's job), printing, reading the environment.

mod assert;
mod capture;
#[doc(hidden)]
pub mod fuzzing;
pub mod kinds;
mod probes;
pub mod process;
mod value;

pub use assert::evaluate;
pub use capture::capture;
pub use kinds::KINDS;
pub use probes::observe;
pub use shipcheck_plan::kind::{ChainState, Facts, Observed, ProbeContext, ProbeError, Stop};
