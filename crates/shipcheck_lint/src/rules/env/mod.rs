//! `env/*`: `.env` files; template-only rules apply to `.example`, `.sample`, `.template`.

pub(crate) mod ambiguous_syntax;
pub(crate) mod commit_warning_missing;
pub(crate) mod debug_enabled;
pub(crate) mod duplicate_key;
pub(crate) mod insecure_default;
pub(crate) mod live_looking_key;
pub(crate) mod undocumented_variable;

#[cfg(test)]
mod tests {
    use crate::Rule;
    use crate::test_support::{rule_fixture_tests, run_fixture};

    rule_fixture_tests! {
        "env", "env.example";
        ambiguous_syntax => Rule::EnvAmbiguousSyntax,
        commit_warning_missing => Rule::EnvCommitWarningMissing,
        debug_enabled => Rule::EnvDebugEnabled,
        duplicate_key => Rule::EnvDuplicateKey,
        insecure_default => Rule::EnvInsecureDefault,
        live_looking_key => Rule::EnvLiveLookingKey,
    }

    /// A `# expect` comment would document the variable, so this fixture lists its lines.
    #[test]
    fn undocumented_variable() {
        let base = "resources/test/fixtures/env/undocumented_variable";
        let (lines, human, _) = run_fixture(
            Rule::EnvUndocumentedVariable,
            &format!("{base}_bad.env.example"),
        );
        assert_eq!(lines, vec![4, 12], "{human}");
        insta::assert_snapshot!("undocumented_variable_bad", human);
        let (lines, human, _) = run_fixture(
            Rule::EnvUndocumentedVariable,
            &format!("{base}_good.env.example"),
        );
        assert!(lines.is_empty(), "{human}");
        // Real `.env` files are not templates: the rule does not apply.
        let (lines, _, _) = run_fixture(
            Rule::EnvUndocumentedVariable,
            "resources/test/fixtures/env/undocumented_variable_real.env",
        );
        assert!(lines.is_empty());
    }
}
