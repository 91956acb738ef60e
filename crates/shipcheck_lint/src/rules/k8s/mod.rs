//! `k8s/*`: Kubernetes manifests.

pub(crate) mod latest_image_tag;
pub(crate) mod liveness_probe_missing;
pub(crate) mod privileged_container;
pub(crate) mod readiness_probe_missing;

#[cfg(test)]
mod tests {
    use crate::Rule;
    use crate::test_support::rule_fixture_tests;

    rule_fixture_tests! {
        "k8s", "yaml";
        latest_image_tag => Rule::LatestImageTag,
        liveness_probe_missing => Rule::LivenessProbeMissing,
        privileged_container => Rule::PrivilegedContainer,
        readiness_probe_missing => Rule::ReadinessProbeMissing,
    }
}
