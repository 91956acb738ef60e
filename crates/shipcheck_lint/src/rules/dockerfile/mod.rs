//! `dockerfile/*`: Dockerfiles and Containerfiles.

pub(crate) mod add_from_url;
pub(crate) mod add_instead_of_copy;
pub(crate) mod apt_get_install_recommends;
pub(crate) mod apt_get_missing_yes;
pub(crate) mod apt_lists_not_cleaned;
pub(crate) mod base_image_unpinned;
pub(crate) mod healthcheck_missing;
pub(crate) mod last_user_root;
pub(crate) mod multiple_cmd;
pub(crate) mod pip_cache_not_disabled;
pub(crate) mod pipe_without_pipefail;
pub(crate) mod secret_in_arg;
pub(crate) mod secret_in_env;
pub(crate) mod shell;
pub(crate) mod shell_form_command;
pub(crate) mod ssh_port_exposed;
pub(crate) mod sudo_in_run;
pub(crate) mod tls_verification_disabled;
pub(crate) mod user_missing;

#[cfg(test)]
mod tests {
    use crate::Rule;
    use crate::test_support::rule_fixture_tests;

    rule_fixture_tests! {
        "dockerfile", "Dockerfile";
        add_from_url => Rule::AddFromUrl,
        add_instead_of_copy => Rule::AddInsteadOfCopy,
        apt_get_install_recommends => Rule::AptGetInstallRecommends,
        apt_get_missing_yes => Rule::AptGetMissingYes,
        apt_lists_not_cleaned => Rule::AptListsNotCleaned,
        base_image_unpinned => Rule::BaseImageUnpinned,
        healthcheck_missing => Rule::ImageHealthcheckMissing,
        last_user_root => Rule::LastUserRoot,
        multiple_cmd => Rule::MultipleCmd,
        pip_cache_not_disabled => Rule::PipCacheNotDisabled,
        pipe_without_pipefail => Rule::PipeWithoutPipefail,
        secret_in_arg => Rule::SecretInArg,
        secret_in_env => Rule::SecretInEnv,
        shell_form_command => Rule::ShellFormCommand,
        ssh_port_exposed => Rule::SshPortExposed,
        sudo_in_run => Rule::SudoInRun,
        tls_verification_disabled => Rule::TlsVerificationDisabled,
        user_missing => Rule::UserMissing,
    }
}
