//! The `kubernetes:` plan keys: where the cluster is (`kubeconfig`, `context`,
//! `namespace`, as kubectl takes them) and what to look at — exactly one of a workload,
//! pods by label selector, a Job, a CronJob, an HPA, a Service, an Ingress, recent
//! Warning events, a Secret, PVCs or any object by `apiVersion`/`kind`/`name`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_kube::Resource;
use shipcheck_plan::syntax::{Ctx, Kind, Node, get};

/// Keys besides the one naming what to look at.
const COMMON: &[&str] = &["kubeconfig", "context", "namespace", "max_objects"];

/// The keys that name what a check looks at; exactly one per check.
pub(super) const SUBJECTS: &[&str] = &[
    "deployment",
    "statefulset",
    "daemonset",
    "pods",
    "job",
    "cronjob",
    "hpa",
    "service",
    "ingress",
    "events",
    "secret",
    "pvc",
    "object",
];

/// Most objects one LIST may return (the API's `limit`).
const MAX_OBJECTS: u64 = 100_000;

/// What a check looks at. Names and selectors may hold `{{ }}` templates.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A Deployment, StatefulSet or DaemonSet (its kind) by name.
    Workload(&'static str, String),
    /// The pods a label selector picks (`app=api`).
    Pods(String),
    /// A Job by name.
    Job(String),
    /// A CronJob by name.
    CronJob(String),
    /// A HorizontalPodAutoscaler by name.
    Hpa(String),
    /// A Service by name (its EndpointSlices are read).
    Service(String),
    /// An Ingress by name.
    Ingress(String),
    /// Warning events of the namespace in the last `since`.
    Events(Duration),
    /// A Secret by name (only its key names are kept).
    Secret(String),
    /// A PersistentVolumeClaim by name, or every one in the namespace (`None`).
    Pvc(Option<String>),
    /// Any object: its resource and name.
    Object(Resource, String),
}

impl Subject {
    /// `deployment api`, `pods app=api`, `externalsecret api-env`.
    pub fn describe(&self) -> String {
        match self {
            Subject::Workload(k, n) => format!("{k} {n}"),
            Subject::Pods(s) => format!("pods {s}"),
            Subject::Job(n) => format!("job {n}"),
            Subject::CronJob(n) => format!("cronjob {n}"),
            Subject::Hpa(n) => format!("hpa {n}"),
            Subject::Service(n) => format!("service {n}"),
            Subject::Ingress(n) => format!("ingress {n}"),
            Subject::Events(d) => format!("warning events of the last {}", humantime(*d)),
            Subject::Secret(n) => format!("secret {n}"),
            Subject::Pvc(Some(n)) => format!("pvc {n}"),
            Subject::Pvc(None) => "every pvc".into(),
            Subject::Object(r, n) => format!("{} {n}", r.kind.to_ascii_lowercase()),
        }
    }
}

fn humantime(d: Duration) -> String {
    shipcheck_kube::human_duration(d.as_secs_f64())
}

/// A parsed `kubernetes:` check.
#[derive(Debug, Clone)]
pub struct KubernetesProbe {
    /// `kubeconfig:` (relative to the plan; `~/` is the home directory), if given.
    pub kubeconfig: Option<PathBuf>,
    /// `context:`, if given.
    pub context: Option<String>,
    /// `namespace:`, if given (else the context's, else `default`).
    pub namespace: Option<String>,
    /// What the check looks at.
    pub subject: Subject,
    /// Most objects a LIST may return.
    pub max_objects: usize,
}

fn name(ctx: &mut Ctx<'_>, v: &Node, what: &str) -> Option<String> {
    ctx.template(v, what)
}

fn object(ctx: &mut Ctx<'_>, v: &Node) -> Option<Subject> {
    let entries = ctx.map(v, "object")?;
    ctx.keys(entries, &["apiVersion", "kind", "name", "plural"], "`object`");
    let mut need = |k: &str| match get(entries, k) {
        Some(n) => ctx.text(n, k),
        None => {
            ctx.error_help(
                v.span,
                format!("`object` needs `{k}`"),
                "incomplete",
                "write `object: { apiVersion: external-secrets.io/v1, kind: ExternalSecret, name: api-env }`",
            );
            None
        }
    };
    let (api, kind) = (need("apiVersion"), need("kind"));
    let name_node = get(entries, "name");
    let n = match name_node {
        Some(n) => name(ctx, n, "name")?,
        None => {
            ctx.error(v.span, "`object` needs `name`", "incomplete");
            return None;
        }
    };
    let plural = match get(entries, "plural") {
        Some(p) => Some(ctx.text(p, "plural")?),
        None => None,
    };
    Some(Subject::Object(Resource::from_api_version(&api?, &kind?, plural.as_deref()), n))
}

fn subject(ctx: &mut Ctx<'_>, key: &str, v: &Node) -> Option<Subject> {
    Some(match key {
        "deployment" => Subject::Workload("deployment", name(ctx, v, key)?),
        "statefulset" => Subject::Workload("statefulset", name(ctx, v, key)?),
        "daemonset" => Subject::Workload("daemonset", name(ctx, v, key)?),
        "pods" => Subject::Pods(name(ctx, v, "pods (a label selector)")?),
        "job" => Subject::Job(name(ctx, v, key)?),
        "cronjob" => Subject::CronJob(name(ctx, v, key)?),
        "hpa" => Subject::Hpa(name(ctx, v, key)?),
        "service" => Subject::Service(name(ctx, v, key)?),
        "ingress" => Subject::Ingress(name(ctx, v, key)?),
        "secret" => Subject::Secret(name(ctx, v, key)?),
        "pvc" => match name(ctx, v, key)? {
            n if n == "all" => Subject::Pvc(None),
            n => Subject::Pvc(Some(n)),
        },
        "events" => {
            let entries = ctx.map(v, "events")?;
            ctx.keys(entries, &["since"], "`events`");
            let since = match get(entries, "since") {
                Some(s) => ctx.duration(s, "since")?,
                None => Duration::from_secs(15 * 60),
            };
            Subject::Events(since)
        }
        _ => object(ctx, v)?,
    })
}

pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<KubernetesProbe> {
    let entries = ctx.map(n, "kubernetes")?;
    let allowed: Vec<&str> = COMMON.iter().chain(SUBJECTS).copied().collect();
    ctx.keys(entries, &allowed, "a kubernetes check");
    let named: Vec<&(Node, Node)> = entries
        .iter()
        .filter(|(k, _)| matches!(&k.kind, Kind::Str(s) if SUBJECTS.contains(&s.as_str())))
        .collect();
    let [(key, value)] = named.as_slice() else {
        let span = named.get(1).map_or(n.span, |(k, _)| k.span);
        ctx.error_help(
            span,
            "a kubernetes check looks at exactly one thing",
            if named.is_empty() { "nothing to look at" } else { "a second subject" },
            format!("write one of: {}", SUBJECTS.join(", ")),
        );
        return None;
    };
    let key = key.scalar_text().unwrap_or_default();
    let subject = subject(ctx, &key, value)?;
    let text = |ctx: &mut Ctx<'_>, k: &str| match get(entries, k) {
        Some(v) => ctx.text(v, k).map(Some),
        None => Some(None),
    };
    let kubeconfig = text(ctx, "kubeconfig")?.map(|p| match p.strip_prefix("~/") {
        Some(rest) => std::env::home_dir().unwrap_or_default().join(rest),
        None => base_dir.join(p),
    });
    let context = text(ctx, "context")?;
    let namespace = text(ctx, "namespace")?;
    let max_objects = match get(entries, "max_objects") {
        Some(v) => ctx.uint(v, "max_objects", MAX_OBJECTS)? as usize,
        None => shipcheck_kube::DEFAULT_MAX_OBJECTS,
    };
    Some(KubernetesProbe {
        kubeconfig,
        context,
        namespace,
        subject,
        max_objects: max_objects.max(1),
    })
}
