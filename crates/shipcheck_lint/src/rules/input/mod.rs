//! `input/*`: problems with the input itself, reported by the engine.

pub(crate) mod file_not_read;
pub(crate) mod parse_error;
pub(crate) mod suppression_missing_reason;
pub(crate) mod suppression_unknown_rule;
pub(crate) mod unknown_file_kind;
