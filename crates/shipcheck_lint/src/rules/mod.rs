//! One module per family, one file per rule.

pub(crate) mod input;
pub(crate) mod k8s;
