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
    (IdenticalProbes, "k8s/identical-probes", Container, k8s::identical_probes),
    (ProbePortNotExposed, "k8s/probe-port-not-exposed", Container, k8s::probe_port_not_exposed),
    (CpuRequestMissing, "k8s/cpu-request-missing", Container, k8s::cpu_request_missing),
    (MemoryRequestMissing, "k8s/memory-request-missing", Container, k8s::memory_request_missing),
    (MemoryLimitMissing, "k8s/memory-limit-missing", Container, k8s::memory_limit_missing),
    (CpuLimitMissing, "k8s/cpu-limit-missing", Container, k8s::cpu_limit_missing),
    (PrivilegeEscalationAllowed, "k8s/privilege-escalation-allowed", Container, k8s::privilege_escalation_allowed),
    (RunsAsRoot, "k8s/runs-as-root", Container, k8s::runs_as_root),
    (WritableRootFilesystem, "k8s/writable-root-filesystem", Container, k8s::writable_root_filesystem),
    (CapabilitiesNotDropped, "k8s/capabilities-not-dropped", Container, k8s::capabilities_not_dropped),
    (DangerousCapability, "k8s/dangerous-capability", Container, k8s::dangerous_capability),
    (SeccompProfileMissing, "k8s/seccomp-profile-missing", Container, k8s::seccomp_profile_missing),
    (HostPortUsed, "k8s/host-port-used", Container, k8s::host_port_used),
    (DuplicateEnvKey, "k8s/duplicate-env-key", Container, k8s::duplicate_env_key),
    (PlaintextSecretInEnv, "k8s/plaintext-secret-in-env", Container, k8s::plaintext_secret_in_env),
    (HostNamespaceShared, "k8s/host-namespace-shared", PodSpec, k8s::host_namespace_shared),
    (HostPathVolume, "k8s/hostpath-volume", PodSpec, k8s::hostpath_volume),
    (DockerSocketMounted, "k8s/docker-socket-mounted", PodSpec, k8s::docker_socket_mounted),
    (ServiceAccountTokenAutomounted, "k8s/service-account-token-automounted", PodSpec, k8s::service_account_token_automounted),
    (PodAntiAffinityMissing, "k8s/pod-anti-affinity-missing", PodSpec, k8s::pod_anti_affinity_missing),
    (PreStopHookMissing, "k8s/prestop-hook-missing", PodSpec, k8s::prestop_hook_missing),
    (UnsafeRolloutStrategy, "k8s/unsafe-rollout-strategy", K8sObject, k8s::unsafe_rollout_strategy),
    (SelectorMismatch, "k8s/selector-mismatch", K8sObject, k8s::selector_mismatch),
    (IngressWithoutTls, "k8s/ingress-without-tls", K8sObject, k8s::ingress_without_tls),
    (SecretWithLiteralData, "k8s/secret-with-literal-data", K8sObject, k8s::secret_with_literal_data),
    (PlaceholderValue, "k8s/placeholder-value", K8sObject, k8s::placeholder_value),
    (DatabaseUrlWithoutTls, "k8s/database-url-without-tls", K8sObject, k8s::database_url_without_tls),
    (JobWithoutLimits, "k8s/job-without-limits", K8sObject, k8s::job_without_limits),
    (CronJobStartingDeadlineMissing, "k8s/cronjob-starting-deadline-missing", K8sObject, k8s::cronjob_starting_deadline_missing),
    (HpaMinAboveMax, "k8s/hpa-min-above-max", K8sObject, k8s::hpa_min_above_max),
    (DeprecatedApiVersion, "k8s/deprecated-api-version", K8sObject, k8s::deprecated_api_version),
    (ReplicasBelowTwoInProduction, "k8s/replicas-below-two-in-production", K8sSet, k8s::replicas_below_two_in_production),
    (PdbMissing, "k8s/pdb-missing", K8sSet, k8s::pdb_missing),
    (PdbBlocksEviction, "k8s/pdb-blocks-eviction", K8sSet, k8s::pdb_blocks_eviction),
    (HpaTargetMissing, "k8s/hpa-target-missing", K8sSet, k8s::hpa_target_missing),
    (HpaWithReplicas, "k8s/hpa-with-replicas", K8sSet, k8s::hpa_with_replicas),
    (ServiceSelectsNothing, "k8s/service-selects-nothing", K8sSet, k8s::service_selects_nothing),
    (IngressBackendMissing, "k8s/ingress-backend-missing", K8sSet, k8s::ingress_backend_missing),
}
