//! The probe kinds, one folder each, and [`KINDS`], the one table that lists them.
//!
//! Adding a kind: a folder here with a `KIND` implementing
//! [`shipcheck_plan::kind::ProbeKind`], its `mod` line and its row in [`KINDS`].

mod db_common;
pub mod http;
pub mod postgres;
pub mod redis;
pub mod sqlite;

use shipcheck_plan::kind::Kinds;

/// Every probe kind a plan may use, in documentation order.
pub static KINDS: Kinds = Kinds::new(&[&http::KIND, &sqlite::KIND, &postgres::KIND, &redis::KIND]);
