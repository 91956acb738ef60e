//! The probe kinds, one folder each, and [`KINDS`], the one table that lists them.
//!
//! Adding a kind: a folder here with a `KIND` implementing
//! [`shipcheck_plan::kind::ProbeKind`], its `mod` line and its row in [`KINDS`].

pub mod cors;
mod document;
mod document_expect;
pub mod http;
pub mod lint;
pub mod metrics;
pub mod openapi;
#[cfg(test)]
mod tests;
pub mod webhook;

use shipcheck_plan::kind::Kinds;

/// Every probe kind a plan may use, in documentation order.
#[rustfmt::skip]
pub static KINDS: Kinds = Kinds::new(&[
    &http::KIND,
    &webhook::KIND,
    &lint::KIND,
    &metrics::KIND,
    &openapi::KIND,
    &cors::KIND,
]);
