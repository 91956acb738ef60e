//! The rule registry: one row per rule, `(TypeName, "family/id", NodeKind, module)`.
//!
//! Adding a rule: write `rules/<family>/<rule>.rs` (a `violation!` struct with the doc
//! sections, an `impl Violation`, and `pub(crate) fn check`), declare the module in
//! `rules/<family>/mod.rs`, add one row here, and add `<rule>_bad`/`<rule>_good` fixtures
//! plus a line in the family's test table. IDs are never reused.

use crate::registry::rules;

rules! {
    // input: problems with the input itself (reported by the engine)
    (ParseError, "input/parse-error", Engine, input::parse_error),
    (SuppressionMissingReason, "input/suppression-missing-reason", Engine, input::suppression_missing_reason),
    (SuppressionUnknownRule, "input/suppression-unknown-rule", Engine, input::suppression_unknown_rule),
    (UnknownFileKind, "input/unknown-file-kind", Engine, input::unknown_file_kind),
    // k8s: containers
    (PrivilegedContainer, "k8s/privileged-container", Container, k8s::privileged_container),
    (LatestImageTag, "k8s/latest-image-tag", Container, k8s::latest_image_tag),
    (ReadinessProbeMissing, "k8s/readiness-probe-missing", Container, k8s::readiness_probe_missing),
    (LivenessProbeMissing, "k8s/liveness-probe-missing", Container, k8s::liveness_probe_missing),
}
