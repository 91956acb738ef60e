//! The probe kinds, one folder each, and [`KINDS`], the one table that lists them.
//!
//! Adding a kind: a folder here with a `KIND` implementing
//! [`shipcheck_plan::kind::ProbeKind`], its `mod` line and its row in [`KINDS`].

pub mod cors;
mod db_common;
pub mod dns;
mod document;
mod document_expect;
pub mod http;
pub mod lint;
pub mod metrics;
mod net_common;
pub mod openapi;
pub mod postgres;
pub mod redis;
pub mod sqlite;
pub mod tcp;
#[cfg(test)]
mod tests;
pub mod tls;
pub mod webhook;
pub mod websocket;

use shipcheck_plan::kind::Kinds;

/// Every probe kind a plan may use, in documentation order.
#[rustfmt::skip]
pub static KINDS: Kinds = Kinds::new(&[
    &http::KIND,
    &sqlite::KIND,
    &postgres::KIND,
    &redis::KIND,
    &tls::KIND,
    &tcp::KIND,
    &dns::KIND,
    &websocket::KIND,
    &webhook::KIND,
    &lint::KIND,
    &metrics::KIND,
    &openapi::KIND,
    &cors::KIND,
]);
