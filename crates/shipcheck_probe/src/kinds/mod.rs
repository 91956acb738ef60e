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
mod test_util;
#[cfg(test)]
mod tests;
mod timestamp;

use shipcheck_plan::kind::Kinds;

/// Implements [`shipcheck_plan::kind::Probe`] for a kind's parsed probe: its name,
/// `observe` by the kind's async `run::observe` (on the value itself or one of its
/// fields), `as_any`, and `winds_down` (true with a last `winds_down` argument).
macro_rules! probe_impl {
    ($ty:ty, $name:literal, $observe:path) => {
        probe_impl!(@impl $ty, $name, |p, cx| $observe(p, cx));
    };
    ($ty:ty, $name:literal, $observe:path, winds_down) => {
        probe_impl!(@impl $ty, $name, |p, cx| $observe(p, cx), true);
    };
    ($ty:ty, $name:literal, $observe:path, $field:tt) => {
        probe_impl!(@impl $ty, $name, |p, cx| $observe(&p.$field, cx));
    };
    (@impl $ty:ty, $name:literal, |$p:ident, $cx:ident| $call:expr) => {
        probe_impl!(@impl $ty, $name, |$p, $cx| $call, false);
    };
    (@impl $ty:ty, $name:literal, |$p:ident, $cx:ident| $call:expr, $winds_down:literal) => {
        impl shipcheck_plan::kind::Probe for $ty {
            fn kind(&self) -> &'static str {
                $name
            }
            fn observe<'a>(
                &'a self,
                cx: &'a shipcheck_plan::kind::ProbeContext<'a>,
            ) -> shipcheck_plan::kind::BoxFuture<
                'a,
                Result<shipcheck_plan::kind::Observed, shipcheck_plan::kind::ProbeError>,
            > {
                let ($p, $cx) = (self, cx);
                Box::pin($call)
            }
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }
            fn winds_down(&self) -> bool {
                $winds_down
            }
        }
    };
}

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
    prometheus,
    kubernetes,
    openapi,
    cors,
    load,
    drill,
    package,
    parity,
    logs,
    helm,
    browser,
}
