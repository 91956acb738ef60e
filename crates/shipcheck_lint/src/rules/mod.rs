//! One module per family, one file per rule.

pub(crate) mod compose;
pub(crate) mod cross;
pub(crate) mod dockerfile;
pub(crate) mod env;
pub(crate) mod input;
pub(crate) mod k8s;
pub(crate) mod secrets;
