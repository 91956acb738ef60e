//! The `kubernetes` probe kind: live state read from the Kubernetes API, read-only, as a
//! readiness verdict — workloads rolled out and running the expected image, pods Running
//! and Ready (or why not), Jobs complete, CronJobs scheduled, HPAs with known metrics,
//! Services with ready endpoints, Ingresses with an address, recent Warning events, any
//! object's conditions, a Secret's key names (never its values), PVCs Bound. The client
//! is `shipcheck_kube`; this folder only parses, queries and describes.

mod facts;
mod run;
mod spec;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Judge, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Kind, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindJudge, KindQuery, Pos, Predicate, Quantity, Query, Unit};

use facts::{HasKeys, KubeQuery, RunsImage};
pub use facts::KubernetesFacts;
pub use spec::{KubernetesProbe, Subject};

/// The `kubernetes` kind's registry entry.
pub(crate) static KIND: KubernetesKind = KubernetesKind;

/// The `kubernetes` kind.
pub(crate) struct KubernetesKind;

fn query(q: KubeQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

fn judge(q: KubeQuery, j: impl Judge + 'static, pos: Pos) -> Assertion {
    Assertion { query: query(q), predicate: Predicate::Judge(KindJudge(Arc::new(j))), pos }
}

fn flag(cx: &mut Ctx<'_>, key: &str, v: &Node, q: KubeQuery, out: &mut Vec<Assertion>) {
    if let Some(b) = cx.bool(v, key) {
        out.push(Assertion { query: query(q), predicate: Predicate::Equals(Value::Bool(b)), pos: v.pos() });
    }
}

/// `True`/`False`/`Unknown` from a written condition status (`true` is `True`).
fn condition_status(cx: &mut Ctx<'_>, v: &Node) -> Option<String> {
    let s = match &v.kind {
        Kind::Bool(b) => if *b { "True" } else { "False" }.to_owned(),
        _ => cx.text(v, "a condition status")?,
    };
    match s.to_ascii_lowercase().as_str() {
        "true" => Some("True".into()),
        "false" => Some("False".into()),
        "unknown" => Some("Unknown".into()),
        _ => {
            cx.expected(v, "a condition status", "`True`, `False` or `Unknown`");
            None
        }
    }
}

impl ProbeKind for KubernetesKind {
    fn name(&self) -> &'static str {
        "kubernetes"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn hints(&self) -> &'static [Hint] {
        HINTS
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &[
            "address",
            "available",
            "bound",
            "complete",
            "conditions",
            "duration",
            "endpoints_ready",
            "found",
            "image",
            "images",
            "job_duration",
            "json",
            "keys",
            "last_schedule",
            "max_replicas",
            "metrics_known",
            "min_replicas",
            "pod_count",
            "pods_ready",
            "restarts",
            "target_utilization",
            "warnings",
        ]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        let number = |q| (Target::Number, query(q));
        let (target, q) = match key {
            "available" => return flag(cx, key, v, KubeQuery::Available, out),
            "pods_ready" => return flag(cx, key, v, KubeQuery::PodsReady, out),
            "complete" => return flag(cx, key, v, KubeQuery::Complete, out),
            "metrics_known" => return flag(cx, key, v, KubeQuery::MetricsKnown, out),
            "bound" => return flag(cx, key, v, KubeQuery::Bound, out),
            "found" => return flag(cx, key, v, KubeQuery::Found, out),
            "image" => {
                if let Some(want) = cx.text(v, "image") {
                    out.push(judge(KubeQuery::PodsReady, RunsImage { container: None, want }, v.pos()));
                }
                return;
            }
            "images" => {
                for (k, iv) in cx.map(v, "images").unwrap_or_default() {
                    if let (Some(container), Some(want)) = (cx.text(k, "a container name"), cx.text(iv, "an image")) {
                        out.push(judge(KubeQuery::PodsReady, RunsImage { container: Some(container), want }, iv.pos()));
                    }
                }
                return;
            }
            "keys" => {
                let keys: Vec<String> = cx.seq(v, "keys").unwrap_or_default().iter().filter_map(|k| cx.text(k, "a key name")).collect();
                out.push(judge(KubeQuery::Keys, HasKeys(keys), v.pos()));
                return;
            }
            "conditions" => {
                for (k, cv) in cx.map(v, "conditions").unwrap_or_default() {
                    if let (Some(t), Some(st)) = (cx.text(k, "a condition type"), condition_status(cx, cv)) {
                        out.push(Assertion { query: query(KubeQuery::Condition(t)), predicate: Predicate::Equals(Value::String(st)), pos: cv.pos() });
                    }
                }
                return;
            }
            "job_duration" => (Target::Duration, query(KubeQuery::JobDuration)),
            "last_schedule" => (Target::Duration, query(KubeQuery::LastSchedule)),
            "address" => (Target::Text("address"), query(KubeQuery::Address)),
            "restarts" => number(KubeQuery::Restarts),
            "pod_count" => number(KubeQuery::PodCount),
            "min_replicas" => number(KubeQuery::MinReplicas),
            "max_replicas" => number(KubeQuery::MaxReplicas),
            "target_utilization" => number(KubeQuery::TargetUtilization),
            "endpoints_ready" => number(KubeQuery::EndpointsReady),
            _ => number(KubeQuery::Warnings),
        };
        predicates(cx, v, target, &q, out);
    }
    /// What each subject must show unless the plan says otherwise: a workload
    /// `available`, pods `pods_ready`, a Job `complete`, a CronJob a last schedule, an HPA
    /// `metrics_known`, a Service at least one ready endpoint, an Ingress an address, no
    /// Warning event, a Secret `found`, PVCs `bound`, an object `conditions: { Ready: True }`.
    fn implied(&self, probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let Some(p) = probe.as_any().downcast_ref::<KubernetesProbe>() else {
            return;
        };
        let written = |expect: &[Assertion], q: &KubeQuery| {
            let q = query(q.clone());
            expect.iter().any(|a| a.query == q && !matches!(a.predicate, Predicate::Judge(_)))
        };
        let (q, predicate) = match &p.subject {
            Subject::Workload(..) => (KubeQuery::Available, Predicate::Equals(Value::Bool(true))),
            Subject::Pods(_) => (KubeQuery::PodsReady, Predicate::Equals(Value::Bool(true))),
            Subject::Job(_) => (KubeQuery::Complete, Predicate::Equals(Value::Bool(true))),
            Subject::CronJob(_) => (KubeQuery::LastSchedule, Predicate::Exists(true)),
            Subject::Hpa(_) => (KubeQuery::MetricsKnown, Predicate::Equals(Value::Bool(true))),
            Subject::Service(_) => (KubeQuery::EndpointsReady, Predicate::AtLeast(Quantity { value: 1.0, unit: Unit::Number })),
            Subject::Ingress(_) => (KubeQuery::Address, Predicate::Exists(true)),
            Subject::Events(_) => (KubeQuery::Warnings, Predicate::Equals(Value::from(0))),
            Subject::Secret(_) => (KubeQuery::Found, Predicate::Equals(Value::Bool(true))),
            Subject::Pvc(_) => (KubeQuery::Bound, Predicate::Equals(Value::Bool(true))),
            Subject::Object(..) => {
                let any_condition = expect.iter().any(|a| matches!(&a.query, Query::Kind(k) if k.0.subject().starts_with("condition ")));
                if any_condition {
                    return;
                }
                (KubeQuery::Condition("Ready".into()), Predicate::Equals(Value::String("True".into())))
            }
        };
        if !written(expect, &q) {
            expect.insert(0, Assertion { query: query(q), predicate, pos });
        }
    }
}

probe_impl!(KubernetesProbe, "kubernetes", run::observe);

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "available",
        hint: "a rollout stalls on pods that crash (`kubectl logs --previous`), cannot pull their image, or do not fit on a node; poll with `until:` while it rolls out",
    },
    Hint {
        when: "metrics known",
        hint: "`<unknown>` metrics mean the HPA cannot read them: install metrics-server (resource metrics) or the Prometheus adapter (custom metrics), and set resource requests on the pods",
    },
    Hint {
        when: "auth",
        hint: "the API refused the credentials: check the kubeconfig user (`kubectl auth can-i list pods -n NS`); shipcheck only needs get/list",
    },
    Hint {
        when: "connect",
        hint: "no kubeconfig was found, or the API server is unreachable: set `kubeconfig`/`context`, `KUBECONFIG`, or run in a pod with a service account",
    },
];

static DOC: KindDoc = KindDoc {
    summary: "Reads live state from the Kubernetes API (read-only: one LIST per resource and namespace per attempt, never a create, patch or delete) and judges it: workloads rolled out and running the expected image, pods Running and Ready (with the reason when not: `CrashLoopBackOff (restarts 7)`, `ImagePullBackOff`, `OOMKilled`, `Pending: Unschedulable: …`), Jobs complete, CronJobs scheduled, HPAs with known metrics, Services with ready endpoints (EndpointSlices), Ingresses with an address, recent Warning events, any object's conditions (ExternalSecret, Certificate, SecretStore), a Secret's key names (its values are dropped before anything else sees them), PVCs Bound. The cluster is found as kubectl finds it: `kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`, else the pod's service account. A missing kubeconfig or unreachable server is an error of class `connect`, a 401/403 one of class `auth`. Every expectation works with `until:` (a rollout takes time). Tested against a Kubernetes API double serving recorded `kubectl get -o json` objects, not against a real cluster.",
    keys: &[
        KeyDoc { name: "kubeconfig", value: "path", doc: "a kubeconfig file (relative to the plan; `~/` is the home directory); default `KUBECONFIG`, then `~/.kube/config`, then in-cluster" },
        KeyDoc { name: "context", value: "name", doc: "the kubeconfig context (default: its current context)" },
        KeyDoc { name: "namespace", value: "name", doc: "the namespace (default: the context's, else `default`)" },
        KeyDoc { name: "deployment, statefulset, daemonset", value: "name", doc: "a workload; its pods (by `spec.selector.matchLabels`) are listed too" },
        KeyDoc { name: "pods", value: "label selector", doc: "the pods kubectl's `-l` would pick, e.g. `app=api,tier!=db`" },
        KeyDoc { name: "job, cronjob, hpa, ingress, secret", value: "name", doc: "one object of that kind" },
        KeyDoc { name: "service", value: "name", doc: "a Service, judged by its EndpointSlices (`discovery.k8s.io/v1`)" },
        KeyDoc { name: "pvc", value: "name or `all`", doc: "a PersistentVolumeClaim, or every one in the namespace" },
        KeyDoc { name: "events", value: "`{ since: DURATION }`", doc: "the namespace's Warning events of the last `since` (default 15m), newest first, listed as evidence" },
        KeyDoc { name: "object", value: "`{ apiVersion, kind, name, plural? }`", doc: "any object, e.g. a CRD's (`plural` when it is not the kind's lower-case English plural)" },
        KeyDoc { name: "max_objects", value: "integer", doc: "most objects one LIST may return (default 2000, at most 100000); more is an error (a verdict on part of them would mislead)" },
    ],
    expectations: &[
        KeyDoc { name: "available", value: "boolean", doc: "workload: current generation observed, ready = updated = available = desired, no old replica left, every pod Running and Ready; else e.g. `deployment api: 2/3 ready, 1/3 updated, 2/3 available; pod api-x: CrashLoopBackOff (restarts 7)`" },
        KeyDoc { name: "image", value: "image reference or digest", doc: "every container of the pods runs it (`registry/app:1.4.2`, `app@sha256:…`, `sha256:…` matched against the runtime's image ID); short names are expanded as the runtime does" },
        KeyDoc { name: "images", value: "mapping container → image", doc: "the same, per container" },
        KeyDoc { name: "pods_ready", value: "boolean", doc: "pods (at least one): every one Running and Ready; each other listed with its reason" },
        KeyDoc { name: "restarts", value: "number predicate", doc: "the most restarts of one pod, e.g. `{ under: 3 }` (with that pod's last exit reason)" },
        KeyDoc { name: "pod_count", value: "number predicate", doc: "how many pods" },
        KeyDoc { name: "complete", value: "boolean", doc: "job: condition `Complete`; else its `Failed` reason (`BackoffLimitExceeded: …`) or how many pods are active" },
        KeyDoc { name: "job_duration", value: "bound on a duration", doc: "job: start to completion (or failure; to now while it runs)" },
        KeyDoc { name: "last_schedule", value: "bound on a duration", doc: "cronjob: time since `lastScheduleTime`" },
        KeyDoc { name: "metrics_known", value: "boolean", doc: "hpa: every metric has a current value (`<unknown>` fails, naming the cause: `ScalingActive False: FailedGetResourceMetric: …`, no `currentMetrics`)" },
        KeyDoc { name: "min_replicas, max_replicas, target_utilization", value: "number predicate", doc: "hpa: its bounds and first resource utilization target (percent)" },
        KeyDoc { name: "endpoints_ready", value: "number predicate", doc: "service: ready endpoint addresses; the not-ready ones are named" },
        KeyDoc { name: "address", value: "text predicate", doc: "ingress: the published IPs/host names" },
        KeyDoc { name: "warnings", value: "number predicate", doc: "events: how many Warning events in the window (the newest are quoted)" },
        KeyDoc { name: "conditions", value: "mapping type → `True`/`False`/`Unknown`", doc: "any named object: the status of each condition, with its reason and message" },
        KeyDoc { name: "keys", value: "list of key names", doc: "secret: these keys exist in `data`/`stringData` (values are never read into the report)" },
        KeyDoc { name: "bound", value: "boolean", doc: "pvc: phase `Bound` (every one for `pvc: all`)" },
        KeyDoc { name: "found", value: "boolean", doc: "the object exists (pods, events: at least one)" },
        KeyDoc { name: "json", value: "mapping of JSONPath → predicate", doc: "the object (a named subject) or the list (pods, events, `pvc: all`, a Service's EndpointSlices)" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "time of the API calls" },
    ],
    implied: "deployment/statefulset/daemonset `available: true`; pods `pods_ready: true`; job `complete: true`; cronjob a `last_schedule`; hpa `metrics_known: true`; service `endpoints_ready: { at_least: 1 }`; ingress an `address`; events `warnings: 0`; secret `found: true`; pvc `bound: true`; object `conditions: { Ready: True }` (unless the check names another expectation on the same thing)",
    example: "- id: api-rolled-out\n  kubernetes: { context: prod, namespace: shop, deployment: api }\n  expect: { available: true, image: registry.example.com/shop/api:1.5.0 }\n  until: { within: 5m, every: 5s }\n- id: api-pods\n  kubernetes: { namespace: shop, pods: app=api }\n  expect: { pods_ready: true, restarts: { under: 3 } }\n- id: migration\n  kubernetes: { namespace: shop, job: db-migrate-42 }\n  expect: { complete: true, job_duration: { under: 5m } }\n- id: nightly-report\n  kubernetes: { namespace: shop, cronjob: nightly-report }\n  expect: { last_schedule: { under: 26h } }\n- id: autoscaler\n  kubernetes: { namespace: shop, hpa: api }\n  expect: { metrics_known: true, min_replicas: { at_least: 2 }, target_utilization: 70 }\n- id: api-endpoints\n  kubernetes: { namespace: shop, service: api }\n  expect: { endpoints_ready: { at_least: 2 } }\n- id: ingress\n  kubernetes: { namespace: shop, ingress: shop }\n- id: no-warnings\n  kubernetes: { namespace: shop, events: { since: 10m } }\n  expect: { warnings: { at_most: 0 } }\n- id: secrets-synced\n  kubernetes:\n    namespace: shop\n    object: { apiVersion: external-secrets.io/v1, kind: ExternalSecret, name: api-env }\n  expect: { conditions: { Ready: True } }\n- id: certificate\n  kubernetes:\n    namespace: shop\n    object: { apiVersion: cert-manager.io/v1, kind: Certificate, name: shop-tls }\n- id: api-env-keys\n  kubernetes: { namespace: shop, secret: api-env }\n  expect: { keys: [DATABASE_URL, REDIS_URL] }\n- id: volumes\n  kubernetes: { namespace: shop, pvc: all }\n",
};
