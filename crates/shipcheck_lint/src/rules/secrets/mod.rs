//! `secrets/*`: secrets in any kind of file (masked in every output).

pub(crate) mod credentials_in_url;
pub(crate) mod known_token_format;
pub(crate) mod private_key;

#[cfg(test)]
mod tests {
    use crate::Rule;
    use crate::test_support::rule_fixture_tests;

    rule_fixture_tests! {
        "secrets", "yaml";
        credentials_in_url => Rule::CredentialsInUrl,
        known_token_format => Rule::KnownTokenFormat,
        private_key => Rule::PrivateKeyBlock,
    }
}
