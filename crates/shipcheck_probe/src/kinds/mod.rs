//! The probe kinds, one folder each, and [`KINDS`], the one table that lists them.
//!
//! Adding a kind: a folder here with a `KIND` implementing
//! [`shipcheck_plan::kind::ProbeKind`], its `mod` line and its row in [`KINDS`].

mod document;
mod document_expect;
pub mod http;
pub mod lint;
pub mod metrics;
pub mod openapi;

use shipcheck_plan::kind::Kinds;

/// Every probe kind a plan may use, in documentation order.
pub static KINDS: Kinds = Kinds::new(&[&http::KIND, &lint::KIND, &metrics::KIND, &openapi::KIND]);
