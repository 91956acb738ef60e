use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::parse_image;
use crate::nodes::ComposeFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::compose::service::services;

violation! {
    /// ## What it does
    /// Checks for service images without a tag, with the `latest` tag, or with a variable
    /// whose default is `latest` (`app:${TAG:-latest}`). Services that also have `build:`
    /// are skipped: there `image:` names what is built.
    ///
    /// ## Why is this bad?
    /// An unpinned image changes under the same file: `docker compose pull` on another day
    /// or another host runs different code, and there is nothing to roll back to.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: redis
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: redis:7.4.1
    /// ```
    pub(crate) struct ServiceImageTagUnpinned {
        pub(crate) service: String,
        pub(crate) image: String,
        pub(crate) missing: bool,
    }
}

impl Violation for ServiceImageTagUnpinned {
    const FAMILY: Family = Family::Compose;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        if self.missing {
            format!(
                "service `{}` uses image `{}` without a tag",
                self.service, self.image
            )
        } else {
            format!(
                "service `{}` uses the `latest` tag of `{}`",
                self.service, self.image
            )
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("pin the image to a version tag or a digest".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, cf: &ComposeFile<'_>) {
    for s in services(cf) {
        // `build: ""` builds nothing; any other `build:` names the image it produces.
        if s.get("build").is_some_and(|b| b.as_str() != Some("")) {
            continue;
        }
        let Some(image) = s.image() else { continue };
        let r = parse_image(image);
        if r.digest.is_some() || image.trim().is_empty() {
            continue;
        }
        // A variable as the whole image or repository: can't tell.
        if r.tag.is_none() && image.contains('$') {
            continue;
        }
        let missing = r.tag.is_none();
        let latest = r
            .tag
            .is_some_and(|t| t == "latest" || t.ends_with(":-latest}") || t.ends_with("-latest}"));
        if (missing || latest)
            && let Some(span) = s.entry(s.node, "image")
        {
            ctx.report(
                ServiceImageTagUnpinned {
                    service: s.name.to_owned(),
                    image: image.to_owned(),
                    missing,
                },
                span,
            );
        }
    }
}
