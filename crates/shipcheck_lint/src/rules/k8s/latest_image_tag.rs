use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::{Container, parse_image};
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks for container images without a tag or with the `latest` tag (and no digest).
    ///
    /// ## Why is this bad?
    /// `latest` (or no tag, which means `latest`) is a moving target: two nodes can run
    /// different code under the same manifest, a restart can silently upgrade, and a
    /// rollback cannot go back to what ran before.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: ghcr.io/acme/app:latest
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: ghcr.io/acme/app:1.4.2
    /// ```
    pub(crate) struct LatestImageTag {
        pub(crate) container: String,
        pub(crate) image: String,
        pub(crate) missing: bool,
    }
}

impl Violation for LatestImageTag {
    const FAMILY: Family = Family::K8s;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        if self.missing {
            format!(
                "container `{}` uses image `{}` without a tag",
                self.container, self.image
            )
        } else {
            format!(
                "container `{}` uses the `latest` tag of `{}`",
                self.container, self.image
            )
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("pin the image to a version tag or a digest".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, c: &Container<'_>) {
    let Some(image) = c.get("image").and_then(|v| v.as_str()) else {
        return;
    };
    let r = parse_image(image);
    if r.digest.is_some() {
        return;
    }
    let missing = r.tag.is_none();
    if (missing || r.tag == Some("latest"))
        && let Some(span) = c.entry_span(c.node, "image")
    {
        ctx.report(
            LatestImageTag {
                container: c.name.to_owned(),
                image: image.to_owned(),
                missing,
            },
            span,
        );
    }
}
