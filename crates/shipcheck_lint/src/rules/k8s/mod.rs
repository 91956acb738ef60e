//! `k8s/*`: Kubernetes manifests.

mod helpers;

pub(crate) mod capabilities_not_dropped;
pub(crate) mod cpu_limit_missing;
pub(crate) mod cpu_request_missing;
pub(crate) mod cronjob_starting_deadline_missing;
pub(crate) mod dangerous_capability;
pub(crate) mod database_url_without_tls;
pub(crate) mod deprecated_api_version;
pub(crate) mod docker_socket_mounted;
pub(crate) mod duplicate_env_key;
pub(crate) mod host_namespace_shared;
pub(crate) mod host_port_used;
pub(crate) mod hostpath_volume;
pub(crate) mod hpa_min_above_max;
pub(crate) mod hpa_target_missing;
pub(crate) mod hpa_with_replicas;
pub(crate) mod identical_probes;
pub(crate) mod ingress_backend_missing;
pub(crate) mod ingress_without_tls;
pub(crate) mod job_without_limits;
pub(crate) mod latest_image_tag;
pub(crate) mod liveness_probe_missing;
pub(crate) mod memory_limit_missing;
pub(crate) mod memory_request_missing;
pub(crate) mod pdb_blocks_eviction;
pub(crate) mod pdb_missing;
pub(crate) mod placeholder_value;
pub(crate) mod plaintext_secret_in_env;
pub(crate) mod pod_anti_affinity_missing;
pub(crate) mod prestop_hook_missing;
pub(crate) mod privilege_escalation_allowed;
pub(crate) mod privileged_container;
pub(crate) mod probe_port_not_exposed;
pub(crate) mod readiness_probe_missing;
pub(crate) mod replicas_below_two_in_production;
pub(crate) mod runs_as_root;
pub(crate) mod schema_unknown_field;
pub(crate) mod schema_wrong_type;
pub(crate) mod seccomp_profile_missing;
pub(crate) mod secret_with_literal_data;
pub(crate) mod selector_mismatch;
pub(crate) mod service_account_token_automounted;
pub(crate) mod service_selects_nothing;
pub(crate) mod unsafe_rollout_strategy;
pub(crate) mod writable_root_filesystem;

pub(crate) use helpers::{same_namespace, targets};

#[cfg(test)]
mod tests {
    use crate::Rule;
    use crate::test_support::rule_fixture_tests;

    rule_fixture_tests! {
        "k8s", "yaml";
        capabilities_not_dropped => Rule::CapabilitiesNotDropped,
        cpu_limit_missing => Rule::CpuLimitMissing,
        cpu_request_missing => Rule::CpuRequestMissing,
        cronjob_starting_deadline_missing => Rule::CronJobStartingDeadlineMissing,
        dangerous_capability => Rule::DangerousCapability,
        database_url_without_tls => Rule::DatabaseUrlWithoutTls,
        deprecated_api_version => Rule::DeprecatedApiVersion,
        docker_socket_mounted => Rule::DockerSocketMounted,
        duplicate_env_key => Rule::DuplicateEnvKey,
        host_namespace_shared => Rule::HostNamespaceShared,
        host_port_used => Rule::HostPortUsed,
        hostpath_volume => Rule::HostPathVolume,
        hpa_min_above_max => Rule::HpaMinAboveMax,
        identical_probes => Rule::IdenticalProbes,
        hpa_target_missing => Rule::HpaTargetMissing,
        hpa_with_replicas => Rule::HpaWithReplicas,
        ingress_backend_missing => Rule::IngressBackendMissing,
        ingress_without_tls => Rule::IngressWithoutTls,
        job_without_limits => Rule::JobWithoutLimits,
        latest_image_tag => Rule::LatestImageTag,
        liveness_probe_missing => Rule::LivenessProbeMissing,
        memory_limit_missing => Rule::MemoryLimitMissing,
        memory_request_missing => Rule::MemoryRequestMissing,
        pdb_blocks_eviction => Rule::PdbBlocksEviction,
        pdb_missing => Rule::PdbMissing,
        placeholder_value => Rule::PlaceholderValue,
        plaintext_secret_in_env => Rule::PlaintextSecretInEnv,
        pod_anti_affinity_missing => Rule::PodAntiAffinityMissing,
        prestop_hook_missing => Rule::PreStopHookMissing,
        privilege_escalation_allowed => Rule::PrivilegeEscalationAllowed,
        privileged_container => Rule::PrivilegedContainer,
        probe_port_not_exposed => Rule::ProbePortNotExposed,
        readiness_probe_missing => Rule::ReadinessProbeMissing,
        replicas_below_two_in_production => Rule::ReplicasBelowTwoInProduction,
        runs_as_root => Rule::RunsAsRoot,
        schema_unknown_field => Rule::SchemaUnknownField,
        schema_wrong_type => Rule::SchemaWrongType,
        seccomp_profile_missing => Rule::SeccompProfileMissing,
        secret_with_literal_data => Rule::SecretWithLiteralData,
        selector_mismatch => Rule::SelectorMismatch,
        service_account_token_automounted => Rule::ServiceAccountTokenAutomounted,
        service_selects_nothing => Rule::ServiceSelectsNothing,
        unsafe_rollout_strategy => Rule::UnsafeRolloutStrategy,
        writable_root_filesystem => Rule::WritableRootFilesystem,
    }
}
