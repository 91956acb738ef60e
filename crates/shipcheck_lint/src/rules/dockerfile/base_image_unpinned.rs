use std::collections::HashSet;

use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::k8s::parse_image;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{find_in, stages};

violation! {
    /// ## What it does
    /// Checks `FROM` lines whose image has no tag or the `latest` tag (and no digest).
    /// `scratch`, earlier build stages and images given entirely by a build argument
    /// (`FROM ${BASE}`) are skipped.
    ///
    /// ## Why is this bad?
    /// The build is not reproducible: the same Dockerfile produces a different image next
    /// week, with a different OS or runtime version, and a rebuild to fix an unrelated bug
    /// can ship a major upgrade.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12.7-slim-bookworm
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3006, DL3007](https://github.com/hadolint/hadolint/wiki/DL3007)
    pub(crate) struct BaseImageUnpinned {
        pub(crate) image: String,
        pub(crate) missing: bool,
    }
}

impl Violation for BaseImageUnpinned {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        if self.missing {
            format!("base image `{}` has no tag", self.image)
        } else {
            format!("base image `{}` uses the `latest` tag", self.image)
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some("pin the base image to a version tag or a digest".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    // Names of the stages seen so far: one hash lookup per stage, not a scan of all earlier
    // stages (a file of 500,000 `FROM` lines was quadratic).
    let mut earlier: HashSet<&str> = HashSet::new();
    for s in &all {
        let image = s.image.as_str();
        let lower = image.to_ascii_lowercase();
        let skip = image.is_empty() || lower == "scratch" || earlier.contains(lower.as_str());
        if let Some(n) = &s.name {
            earlier.insert(n);
        }
        if skip {
            continue;
        }
        let r = parse_image(image);
        if r.digest.is_some() || (r.tag.is_none() && image.contains('$')) {
            continue;
        }
        let missing = r.tag.is_none();
        if missing || r.tag == Some("latest") {
            ctx.report(
                BaseImageUnpinned {
                    image: image.to_owned(),
                    missing,
                },
                find_in(df.file, s.from, image),
            );
        }
    }
}
