//! The probe kinds, one folder each, and [`KINDS`], the one table that lists them.
//!
//! Adding a kind: a folder here whose `mod.rs` has a `KIND` implementing
//! [`shipcheck_plan::kind::ProbeKind`], and its name in the `registry!` list below (which
//! declares the module and adds the row, in documentation order).

mod db_common;
mod document;
mod document_expect;
mod net_common;
#[cfg(test)]
mod tests;

use shipcheck_plan::kind::Kinds;

/// Declares each kind's module and lists its `KIND` in [`KINDS`], in the order given.
macro_rules! registry {
    ($($kind:ident),* $(,)?) => {
        $(pub mod $kind;)*

        /// Every probe kind a plan may use, in documentation order.
        pub static KINDS: Kinds = Kinds::new(&[$(&$kind::KIND),*]);
    };
}

registry! {
    http,
    sqlite,
    postgres,
    redis,
    tls,
    tcp,
    dns,
    websocket,
    exec,
    webhook,
    lint,
    metrics,
    openapi,
    cors,
}
