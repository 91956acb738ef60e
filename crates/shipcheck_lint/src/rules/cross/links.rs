//! How cross-file rules find the Dockerfile behind a workload (DESIGN §11): a compose
//! service's `build:`, or the `images:` map of `.shipcheck.yaml` for Kubernetes images.

use std::path::{Component, Path, PathBuf};

use shipcheck_source::yaml::Node as Y;

use crate::context::LintContext;
use crate::k8s::{Container, parse_image};
use crate::nodes::{DockerfileFile, Workspace};
use crate::rules::compose::service::Service;

/// Lexically normalised path components (`.` dropped, `..` applied).
fn components(p: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.last().is_some_and(|l| l != "..") {
                    out.pop();
                } else {
                    out.push("..".into());
                }
            }
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => out.clear(),
        }
    }
    out
}

/// True when two paths name the same file: equal once normalised, or one (relative to
/// the working directory) is a suffix of the other (absolute), with at least two parts.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    let (ca, cb) = (components(a), components(b));
    if ca == cb {
        return true;
    }
    if a.is_absolute() == b.is_absolute() {
        return false;
    }
    let (short, long) = if ca.len() <= cb.len() {
        (&ca, &cb)
    } else {
        (&cb, &ca)
    };
    short.len() >= 2 && !short.iter().any(|c| c == "..") && long.ends_with(short)
}

/// The Dockerfile a compose service builds, if it is part of this run.
pub(crate) fn compose_dockerfile<'w>(
    ws: &'w Workspace<'w>,
    svc: &Service<'_>,
) -> Option<&'w DockerfileFile<'w>> {
    let build = svc.get("build")?;
    let (context, dockerfile) = match build.as_str() {
        Some(ctx) => (ctx, "Dockerfile"),
        None => (
            build.get("context").and_then(Y::as_str).unwrap_or("."),
            build
                .get("dockerfile")
                .and_then(Y::as_str)
                .unwrap_or("Dockerfile"),
        ),
    };
    if context.contains("://") || context.contains('$') {
        return None;
    }
    let dir = Path::new(&svc.file.path).parent().unwrap_or(Path::new(""));
    let path: PathBuf = dir.join(context).join(dockerfile);
    ws.dockerfiles
        .iter()
        .find(|d| same_file(Path::new(&d.file.path), &path))
}

/// The Dockerfile of a Kubernetes container's image, through the `images:` map of the
/// container's `.shipcheck.yaml` (keys match the full image or its repository).
pub(crate) fn image_dockerfile<'w>(
    ctx: &LintContext<'_>,
    ws: &'w Workspace<'w>,
    c: &Container<'_>,
) -> Option<&'w DockerfileFile<'w>> {
    let image = c.get("image").and_then(Y::as_str)?;
    let images = &ctx.options_for(c.object().file.id).images;
    let path = images
        .get(image)
        .or_else(|| images.get(parse_image(image).repository))?;
    ws.dockerfiles
        .iter()
        .find(|d| same_file(Path::new(&d.file.path), path))
}

/// Ports the Dockerfile's `EXPOSE` instructions declare (numbers; `8080/tcp` → 8080).
pub(crate) fn exposed_ports(df: &DockerfileFile<'_>) -> Vec<i64> {
    df.dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("EXPOSE"))
        .flat_map(|i| i.args.split_whitespace())
        .filter_map(|p| p.split('/').next()?.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(same_file(
            Path::new("a/./b/../Dockerfile"),
            Path::new("a/Dockerfile")
        ));
        assert!(same_file(
            Path::new("/work/x/api/Dockerfile"),
            Path::new("x/api/Dockerfile")
        ));
        assert!(!same_file(
            Path::new("/work/x/api/Dockerfile"),
            Path::new("Dockerfile")
        ));
        assert!(!same_file(
            Path::new("a/Dockerfile"),
            Path::new("b/Dockerfile")
        ));
    }
}
