//! The `helm:` plan keys: which release (`release`, `namespace`), where its storage
//! objects come from (the cluster as the `kubernetes` kind reaches it, through
//! `kubeconfig`/`context`, or a saved `file`), which `driver` wrote them, and what the
//! checks compare against (`hooks` that must have run, `after_revision`).

use std::path::{Path, PathBuf};

use shipcheck_helm::Driver;
use shipcheck_plan::syntax::{Ctx, Kind, Node, get, resolve};

/// The keys of a `helm:` mapping.
const KEYS: &[&str] = &[
    "release",
    "namespace",
    "kubeconfig",
    "context",
    "driver",
    "hooks",
    "after_revision",
    "file",
    "max_release_size",
];

/// Default and largest `max_release_size` (decompressed release JSON).
const DEFAULT_MAX_RELEASE: u64 = 16 << 20;
const MAX_MAX_RELEASE: u64 = 256 << 20;

/// A parsed `helm:` check.
#[derive(Debug, Clone)]
pub struct HelmProbe {
    /// The release name (template).
    pub release: String,
    /// Its namespace (template); `None`: the kubeconfig context's namespace, or `default`.
    pub namespace: Option<String>,
    /// A kubeconfig file instead of `$KUBECONFIG` / `~/.kube/config` / in-cluster.
    pub kubeconfig: Option<PathBuf>,
    /// A kubeconfig context instead of the current one.
    pub context: Option<String>,
    /// Which storage driver wrote the release.
    pub driver: Driver,
    /// Hooks that must have run and succeeded in the current revision.
    pub hooks: Vec<String>,
    /// A revision seen earlier (template, e.g. a capture): the current one must be higher.
    pub after_revision: Option<String>,
    /// A saved `kubectl get secrets|configmaps -l owner=helm -o json` to read instead of
    /// the cluster.
    pub file: Option<PathBuf>,
    /// Cap on one release's decompressed JSON.
    pub max_release_size: u64,
}

pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<HelmProbe> {
    let entries = ctx.map(n, "helm")?;
    ctx.keys(entries, KEYS, "helm");
    let Some(release) = get(entries, "release") else {
        ctx.error_help(
            n.span,
            "a helm check needs `release`",
            "no release named",
            "write `helm: { release: shop, namespace: shop }`",
        );
        return None;
    };
    let release = ctx.template(release, "release")?;
    let opt_template = |ctx: &mut Ctx<'_>, key: &str| match get(entries, key) {
        Some(v) => ctx.template(v, key).map(Some),
        None => Some(None),
    };
    let namespace = opt_template(ctx, "namespace")?;
    let after_revision = opt_template(ctx, "after_revision")?;
    let context = match get(entries, "context") {
        Some(v) => Some(ctx.text(v, "context")?),
        None => None,
    };
    let path = |ctx: &mut Ctx<'_>, key: &str| match get(entries, key) {
        Some(v) => ctx.text(v, key).map(|p| Some(resolve(base_dir, &p))),
        None => Some(None),
    };
    let kubeconfig = path(ctx, "kubeconfig")?;
    let file = path(ctx, "file")?;
    let driver = match get(entries, "driver") {
        None => Driver::Secret,
        Some(v) => match ctx.text(v, "driver")?.as_str() {
            "secret" | "secrets" => Driver::Secret,
            "configmap" | "configmaps" => Driver::ConfigMap,
            other => {
                ctx.error_help(
                    v.span,
                    format!("unknown Helm driver `{other}`"),
                    "not a driver shipcheck reads",
                    "write `driver: secret` (Helm's default) or `driver: configmap`",
                );
                return None;
            }
        },
    };
    let hooks = match get(entries, "hooks") {
        None => Vec::new(),
        Some(v) => match &v.kind {
            Kind::Seq(items) if !items.is_empty() => {
                let mut names = Vec::with_capacity(items.len());
                for item in items {
                    names.push(ctx.text(item, "a hook name")?);
                }
                names
            }
            _ => {
                ctx.expected(v, "hooks", "a non-empty list of hook names");
                return None;
            }
        },
    };
    let max_release_size = match get(entries, "max_release_size") {
        Some(v) => ctx.bounded_size(v, "max_release_size", MAX_MAX_RELEASE, "256MiB")?,
        None => DEFAULT_MAX_RELEASE,
    };
    if file.is_some() && (kubeconfig.is_some() || context.is_some()) {
        ctx.error_help(
            n.span,
            "`file` and `kubeconfig`/`context` both given",
            "two sources for the release objects",
            "read a saved listing with `file`, or the cluster with `kubeconfig`/`context`",
        );
        return None;
    }
    Some(HelmProbe {
        release,
        namespace,
        kubeconfig,
        context,
        driver,
        hooks,
        after_revision,
        file,
        max_release_size,
    })
}
