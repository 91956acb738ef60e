use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::patterns::is_secret_name;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{find_in, key_values};

violation! {
    /// ## What it does
    /// Checks `ARG` instructions for secret-named build arguments (`*_PASSWORD`, `*_TOKEN`,
    /// `NPM_TOKEN`, `*_SECRET`…), with or without a default. A default is masked in every
    /// output.
    ///
    /// ## Why is this bad?
    /// Build-argument values are recorded in the image history (`docker history
    /// --no-trunc` shows them for every `RUN` that used them) and in build logs and caches.
    /// BuildKit secret mounts give a step the secret without storing it.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npm_token \
    ///     NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci
    /// ```
    ///
    /// ## References
    /// - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    pub(crate) struct SecretInArg {
        pub(crate) name: String,
        pub(crate) default: Option<String>,
    }
}

impl Violation for SecretInArg {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        match &self.default {
            Some(d) => format!(
                "build argument `{}` (default `{}`) is stored in the image history",
                self.name, d
            ),
            None => format!(
                "build argument `{}` is stored in the image history",
                self.name
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("use `RUN --mount=type=secret` instead of a build argument".into())
    }

    fn secret(&self) -> Option<&str> {
        self.default.as_deref()
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in df.dockerfile.instructions.iter().filter(|i| i.is("ARG")) {
        for (k, v) in key_values(ins) {
            if is_secret_name(&k) {
                let span = find_in(df.file, ins, &k);
                let default = v.filter(|v| !v.is_empty());
                ctx.report(SecretInArg { name: k, default }, span);
            }
        }
    }
}
