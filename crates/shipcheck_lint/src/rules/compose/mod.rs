//! `compose/*`: docker-compose files.

pub(crate) mod datastore_bind_mount;
pub(crate) mod datastore_port_published;
pub(crate) mod depends_on_not_healthy;
pub(crate) mod duplicate_container_name;
pub(crate) mod duplicate_published_port;
pub(crate) mod healthcheck_missing;
pub(crate) mod host_namespace;
pub(crate) mod image_tag_unpinned;
pub(crate) mod logging_rotation_missing;
pub(crate) mod privileged_service;
pub(crate) mod resource_limits_missing;
pub(crate) mod restart_policy_missing;
pub(crate) mod secret_default_value;
pub(crate) mod secret_in_environment;
pub(crate) mod sensitive_host_mount;
pub(crate) mod service;

#[cfg(test)]
mod tests {
    use crate::Rule;
    use crate::test_support::rule_fixture_tests;

    rule_fixture_tests! {
        "compose", "yaml";
        datastore_bind_mount => Rule::DatastoreBindMount,
        datastore_port_published => Rule::DatastorePortPublished,
        depends_on_not_healthy => Rule::DependsOnNotHealthy,
        duplicate_container_name => Rule::DuplicateContainerName,
        duplicate_published_port => Rule::DuplicatePublishedPort,
        healthcheck_missing => Rule::ServiceHealthcheckMissing,
        host_namespace => Rule::ServiceHostNamespaceShared,
        image_tag_unpinned => Rule::ServiceImageTagUnpinned,
        logging_rotation_missing => Rule::ServiceLoggingRotationMissing,
        privileged_service => Rule::PrivilegedService,
        resource_limits_missing => Rule::ServiceResourceLimitsMissing,
        restart_policy_missing => Rule::ServiceRestartPolicyMissing,
        secret_default_value => Rule::ServiceSecretDefaultValue,
        secret_in_environment => Rule::ServiceSecretInEnvironment,
        sensitive_host_mount => Rule::SensitiveHostMount,
    }
}
