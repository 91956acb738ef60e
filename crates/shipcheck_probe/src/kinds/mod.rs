//! The probe kinds, one folder each, and [`KINDS`], the one table that lists them.
//!
//! Adding a kind: a folder here with a `KIND` implementing
//! [`shipcheck_plan::kind::ProbeKind`], its `mod` line and its row in [`KINDS`].

pub mod dns;
pub mod http;
mod net_common;
pub mod tcp;
pub mod tls;
pub mod websocket;

use shipcheck_plan::kind::Kinds;

/// Every probe kind a plan may use, in documentation order.
pub static KINDS: Kinds = Kinds::new(&[
    &http::KIND,
    &tls::KIND,
    &tcp::KIND,
    &dns::KIND,
    &websocket::KIND,
]);
