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
mod assert_net;
mod capture;
mod doc_facts;
mod hygiene;
pub mod kinds;
mod net_facts;
mod observation;
mod probes;
mod tls_facts;
mod value;

pub use assert::evaluate;
pub use capture::capture;
pub use doc_facts::{DocFacts, Sample};
pub use hygiene::CorsFacts;
pub use kinds::KINDS;
pub use net_facts::{Delivery, DnsFacts, TcpFacts, WebhookFacts, WsFacts};
pub use observation::{LintFacts, Observation, ProbeError};
pub use probes::{ProbeContext, observe};
pub use shipcheck_plan::kind::{Facts, Observed};
pub use tls_facts::{CertFacts, TlsFacts};
