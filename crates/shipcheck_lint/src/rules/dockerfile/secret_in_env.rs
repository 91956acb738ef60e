use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::patterns::{find_tokens, is_non_literal, is_secret_name};
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{find_in, key_values};

violation! {
    /// ## What it does
    /// Checks `ENV` instructions that set a secret-named variable (`*_PASSWORD`, `*_TOKEN`,
    /// `*_SECRET`, `*_API_KEY`…) to a literal value. The value is masked in every output;
    /// values in a known token format are left to `secrets/known-token-format`.
    ///
    /// ## Why is this bad?
    /// `ENV` values are stored in the image configuration: anyone who can pull the image
    /// reads them with `docker inspect`, and every container started from it has them.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV DB_PASSWORD=hunter22
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// # provide DB_PASSWORD at run time (orchestrator secret), or at build time with
    /// # RUN --mount=type=secret,id=db_password …
    /// ENV DB_PASSWORD_FILE=/run/secrets/db_password
    /// ```
    pub(crate) struct SecretInEnv {
        pub(crate) name: String,
        pub(crate) value: String,
    }
}

impl Violation for SecretInEnv {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!(
            "`ENV {}` bakes the literal `{}` into the image",
            self.name, self.value
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("pass the secret at run time, or use a BuildKit secret mount at build time".into())
    }

    fn secret(&self) -> Option<&str> {
        Some(&self.value)
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("ENV")) {
        for (k, v) in key_values(ins) {
            let Some(v) = v else { continue };
            // Known token formats are reported by `secrets/known-token-format`.
            if is_secret_name(&k)
                && !is_non_literal(&v)
                && !v.contains('$')
                && find_tokens(&v).is_empty()
            {
                let span = find_in(df.file, ins, &k);
                ctx.report(SecretInEnv { name: k, value: v }, span);
            }
        }
    }
}
