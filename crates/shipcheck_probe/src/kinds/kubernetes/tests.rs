//! The `kubernetes` kind against the Kubernetes API double (`shipcheck_test_support::kube_api`)
//! serving the recorded objects of `shipcheck_kube/tests/fixtures`: each expectation passes
//! and fails on the right objects with its reason, errors are classified, and a Secret's
//! values reach no output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use shipcheck_plan::kind::Observed;
use shipcheck_plan::{Check, load_str};
use shipcheck_report::{AssertionResult, FailureClass};
use shipcheck_test_support::free_port;
use shipcheck_test_support::kube_api::KubeApi;
use time::format_description::well_known::Rfc3339;

use crate::KINDS;
use crate::kinds::test_util::check_in;

const TOKEN: &str = "probe-token-3c9e1a";

struct Cluster {
    api: KubeApi,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn cluster() -> Cluster {
    let api = KubeApi::start(TOKEN);
    api.load_dir(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shipcheck_kube/tests/fixtures")));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = api.kubeconfig(dir.path(), "shop");
    Cluster { api, dir, kubeconfig }
}

impl Cluster {
    /// A check whose `kubernetes:` mapping is `keys` plus this cluster's kubeconfig.
    fn check(&self, keys: &str, expect: &str) -> Check {
        let mut yaml = format!("    kubernetes: {{ kubeconfig: \"{}\", {keys} }}\n", self.kubeconfig.display());
        if !expect.is_empty() {
            yaml.push_str(&format!("    expect: {expect}\n"));
        }
        check_in(self.dir.path(), &yaml)
    }

    async fn run(&self, keys: &str, expect: &str) -> (Observed, Vec<AssertionResult>) {
        let c = self.check(keys, expect);
        let o = crate::kinds::test_util::run(&c).await.unwrap();
        let r = crate::kinds::test_util::results(&c, &o);
        (o, r)
    }

    /// The results, each passing or not as `passes` says, the failing ones' text.
    async fn results(&self, keys: &str, expect: &str) -> Vec<AssertionResult> {
        self.run(keys, expect).await.1
    }
}

fn failed(r: &[AssertionResult]) -> String {
    assert!(r.iter().any(|a| !a.passed), "expected a failure: {r:?}");
    r.iter().filter(|a| !a.passed).map(|a| format!("{}: {}", a.subject, a.actual)).collect::<Vec<_>>().join(" | ")
}

fn passed(r: &[AssertionResult]) {
    assert!(!r.is_empty() && r.iter().all(|a| a.passed), "expected every assertion to pass: {r:?}");
}

fn ago(secs: i64) -> String {
    (time::OffsetDateTime::now_utc() - time::Duration::seconds(secs)).format(&Rfc3339).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn workloads_rollouts_and_images() {
    let k = cluster();
    let r = k.results("deployment: api", "").await;
    assert_eq!(r[0].subject, "available");
    let why = failed(&r);
    assert!(why.contains("deployment api: 2/3 ready, 1/3 updated, 2/3 available"), "{why}");
    assert!(why.contains("pod api-7d9c8f6b5-x2x4q: CrashLoopBackOff, last exit Error (restarts 7)"), "{why}");

    // The half-rolled-out Deployment: old pods still run the previous image.
    let why = failed(&k.results("deployment: api", "{ available: false, image: registry.example.com/shop/api:1.5.0 }").await);
    assert!(why.contains("pod api-5f6b7c8d9-k8s7d container api runs registry.example.com/shop/api:1.4.2"), "{why}");

    let digest = format!("sha256:{}", "b7d4".repeat(16));
    passed(&k.results("deployment: web", &format!("{{ image: \"{digest}\" }}")).await);
    passed(&k.results("deployment: web", &format!("{{ images: {{ web: \"registry.example.com/shop/web@{digest}\" }} }}")).await);
    let why = failed(&k.results("deployment: web", "{ images: { sidecar: envoy:1.31 } }").await);
    assert!(why.contains("no container sidecar"), "{why}");

    let why = failed(&k.results("deployment: worker", "").await);
    assert!(why.contains("0/1 ready"), "{why}");
    assert!(why.contains("pod worker-8e7f6a5b4-r2d2c: ImagePullBackOff: Back-off pulling image"), "{why}");

    // A short image name is expanded as the runtime reports it.
    passed(&k.results("statefulset: db", "{ image: \"postgres:17.2\" }").await);
    let why = failed(&k.results("daemonset: node-exporter", "").await);
    assert!(why.contains("daemonset node-exporter: 2/3 ready, 3/3 updated, 2/3 available"), "{why}");

    let why = failed(&k.results("deployment: nope", "").await);
    assert!(why.contains("deployment nope not found in namespace shop"), "{why}");

    // A generation the controller has not observed yet.
    let mut web: Value = k_object(&k, "deployments.json", "web");
    web["metadata"]["generation"] = json!(4);
    k.api.put(web);
    let why = failed(&k.results("deployment: web", "").await);
    assert!(why.contains("generation 4 not yet observed (controller at 3)"), "{why}");
}

fn k_object(_: &Cluster, file: &str, name: &str) -> Value {
    let path = format!("{}/../shipcheck_kube/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let list: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    list["items"].as_array().unwrap().iter().find(|o| o["metadata"]["name"] == name).unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn pods_ready_restarts_and_reasons() {
    let k = cluster();
    passed(&k.results("pods: app=web", "{ pods_ready: true, restarts: 0, pod_count: 2 }").await);
    let why = failed(&k.results("pods: app=api", "{ restarts: { under: 3 } }").await);
    assert!(why.contains("restarts: 7 (most: pod api-7d9c8f6b5-x2x4q, last exit Error)"), "{why}");
    let why = failed(&k.results("pods: app=report", "").await);
    assert!(why.contains("pod report-7b6c5d4e3-hh7j6: CrashLoopBackOff, last exit OOMKilled (restarts 3)"), "{why}");
    let why = failed(&k.results("pods: app=search", "").await);
    assert!(why.contains("Pending: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."), "{why}");
    let why = failed(&k.results("pods: \"app in (nothing)\"", "").await);
    assert!(why.contains("no pod matches"), "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_and_cronjobs() {
    let k = cluster();
    let (o, r) = k.run("job: db-migrate-41", "{ complete: true, job_duration: { under: 1m } }").await;
    passed(&r);
    assert!(o.evidence[0].text.contains("job db-migrate-41: complete in 42s"), "{:?}", o.evidence);
    let why = failed(&k.results("job: db-migrate-42", "").await);
    assert!(why.contains("job db-migrate-42: failed after 1m 29s (3 failed pods): BackoffLimitExceeded: Job has reached the specified backoff limit"), "{why}");
    let why = failed(&k.results("job: reindex", "").await);
    assert!(why.contains("1 active, 0 succeeded"), "{why}");

    let mut cj = k_object(&k, "cronjobs.json", "nightly-report");
    cj["status"]["lastScheduleTime"] = json!(ago(3600));
    k.api.put(cj);
    passed(&k.results("cronjob: nightly-report", "{ last_schedule: { under: 26h } }").await);
    let why = failed(&k.results("cronjob: nightly-report", "{ last_schedule: { under: 30m } }").await);
    assert!(why.contains("last scheduled"), "{why}");
    let why = failed(&k.results("cronjob: cleanup", "").await);
    assert!(why.contains("never scheduled; the CronJob is suspended"), "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn hpa_metrics_services_ingresses() {
    let k = cluster();
    let why = failed(&k.results("hpa: api", "").await);
    assert!(why.contains("cpu: <unknown>/70%"), "{why}");
    assert!(why.contains("ScalingActive False: FailedGetResourceMetric"), "{why}");
    passed(&k.results("hpa: web", "{ metrics_known: true, min_replicas: 2, max_replicas: { at_least: 6 }, target_utilization: 70 }").await);

    // No currentMetrics and no condition yet: still unknown, with the cause.
    let mut h = k_object(&k, "horizontalpodautoscalers.json", "web");
    h["status"] = json!({"currentReplicas": 2, "desiredReplicas": 2});
    k.api.put(h);
    let why = failed(&k.results("hpa: web", "").await);
    assert!(why.contains("no currentMetrics reported"), "{why}");

    let (o, r) = k.run("service: api", "{ endpoints_ready: 2 }").await;
    passed(&r);
    assert!(o.evidence[0].text.contains("not ready: api-7d9c8f6b5-x2x4q (10.244.1.23)"), "{:?}", o.evidence);
    let why = failed(&k.results("service: worker", "").await);
    assert!(why.contains("endpoints ready: 0 (not ready: worker-8e7f6a5b4-r2d2c (10.244.1.40))"), "{why}");
    let why = failed(&k.results("service: gone", "").await);
    assert!(why.contains("no EndpointSlice for service gone"), "{why}");

    passed(&k.results("ingress: shop", "{ address: 203.0.113.10 }").await);
    let why = failed(&k.results("ingress: admin", "").await);
    assert!(why.contains("has not published an address"), "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn warning_events_conditions_and_pvcs() {
    let k = cluster();
    // Only Warning events of the window count, newest first.
    let mut back_off = k_object(&k, "events.json", "api-7d9c8f6b5-x2x4q.181e0c9a1b2c3d4e");
    back_off["lastTimestamp"] = json!(ago(60));
    k.api.put(back_off);
    let mut metric = k_object(&k, "events.json", "api.181e0c9a1b2c3d4f");
    metric["lastTimestamp"] = json!(ago(120));
    k.api.put(metric);
    let (o, r) = k.run("events: { since: 10m }", "").await;
    let why = failed(&r);
    assert!(why.contains("warnings: 2 ("), "{why}");
    let text = &o.evidence[0].text;
    let back = text.find("BackOff pod/api-7d9c8f6b5-x2x4q").unwrap();
    let hpa = text.find("FailedGetResourceMetric horizontalpodautoscaler/api").unwrap();
    assert!(back < hpa && text.contains("(×31)"), "{text}");
    assert!(!text.contains("FailedScheduling") && !text.contains("ScalingReplicaSet"), "{text}");
    passed(&k.results("events: { since: 10m }", "{ warnings: { at_most: 5 } }").await);

    let es = "object: { apiVersion: external-secrets.io/v1, kind: ExternalSecret, name: api-env }";
    let why = failed(&k.results(es, "").await);
    assert!(why.contains("condition Ready: False (SecretSyncedError: could not get secret data from provider"), "{why}");
    passed(&k.results("object: { apiVersion: external-secrets.io/v1, kind: ExternalSecret, name: web-env }", "").await);
    passed(&k.results("object: { apiVersion: cert-manager.io/v1, kind: Certificate, name: shop-tls }", "{ conditions: { Ready: true } }").await);
    passed(&k.results("object: { apiVersion: external-secrets.io/v1, kind: SecretStore, name: vault }", "").await);
    let why = failed(&k.results("object: { apiVersion: cert-manager.io/v1, kind: Certificate, name: shop-tls }", "{ conditions: { Issuing: False } }").await);
    assert!(why.contains("has no `Issuing` condition (it has: Ready)"), "{why}");
    passed(&k.results("deployment: web", "{ conditions: { Available: \"True\" }, json: { \"$.spec.replicas\": 2 } }").await);

    // A CRD the cluster does not serve: an error, not a verdict.
    let c = k.check("object: { apiVersion: monitoring.coreos.com/v1, kind: ServiceMonitor, name: api }", "");
    let e = crate::kinds::test_util::run(&c).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Protocol);
    assert!(e.message.contains("404") && e.message.contains("servicemonitors"), "{e}");

    passed(&k.results("pvc: data-db-0", "").await);
    let why = failed(&k.results("pvc: uploads", "").await);
    assert!(why.contains("pvc uploads: Pending"), "{why}");
    let why = failed(&k.results("pvc: all", "").await);
    assert!(why.contains("pvc uploads: Pending") && !why.contains("data-db-0"), "{why}");

    // Every request was a read.
    let requests = k.api.requests();
    assert!(requests.iter().all(|r| r.starts_with("GET ")), "{requests:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secrets_values_reach_no_output() {
    let k = cluster();
    let planted = ["Pl4nted-S3cret-9f2a", "Pl4nted-R3dis-77"];
    let (o, r) = k.run("secret: api-env", "{ keys: [DATABASE_URL, REDIS_URL], json: { \"$.data.DATABASE_URL\": { exists: true } } }").await;
    passed(&r);
    let (o2, r2) = k.run("secret: api-env", "{ keys: [API_KEY], json: { \"$.data.DATABASE_URL\": \"x\", \"$.metadata.annotations\": { exists: false } } }").await;
    let why = failed(&r2);
    assert!(why.contains("missing API_KEY (has DATABASE_URL, REDIS_URL)"), "{why}");
    let everything = format!("{o:?}{r:?}{o2:?}{r2:?}");
    assert!(o.evidence[0].text.contains("keys DATABASE_URL, REDIS_URL"), "{:?}", o.evidence);
    for p in planted {
        assert!(!everything.contains(p), "a secret value leaked: {p}");
    }
    // Nor base64 of them (the API's own encoding).
    assert!(!everything.contains("cG9zdGdyZXM6Ly9zaG9w"), "the base64 value leaked");
    let why = failed(&k.results("secret: missing", "").await);
    assert!(why.contains("secret missing not found"), "{why}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_refused_and_missing_are_errors() {
    let k = cluster();
    let wrong = k.check("context: wrong-token, deployment: api", "");
    let e = crate::kinds::test_util::run(&wrong).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Auth, "{e}");
    assert!(e.message.contains("401"), "{e}");
    assert!(e.sent_secrets.iter().any(|s| s == &format!("not-{TOKEN}")), "the token sent is marked for redaction");

    let missing = check_in(k.dir.path(), "    kubernetes: { kubeconfig: no-such-file, deployment: api }\n");
    let e = crate::kinds::test_util::run(&missing).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Connect);
    assert!(e.message.contains("no-such-file") && e.message.contains("does not exist"), "{e}");

    let gone = k.dir.path().join("gone.yaml");
    let text = std::fs::read_to_string(&k.kubeconfig).unwrap();
    std::fs::write(&gone, text.replace(&k.api.url(), &format!("http://127.0.0.1:{}", free_port()))).unwrap();
    let many = k.check("pods: app=api, max_objects: 2", "");
    let e = crate::kinds::test_util::run(&many).await.unwrap_err();
    assert!(e.message.contains("more than 2 objects"), "{e}");

    let c = check_in(k.dir.path(), "    kubernetes: { kubeconfig: gone.yaml, deployment: api }\n    timeout: 3s\n");
    let e = crate::kinds::test_util::run(&c).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Connect, "{e}");
}

#[test]
fn a_check_looks_at_exactly_one_thing() {
    let load = |keys: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n    kubernetes: {{ {keys} }}\n");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS).unwrap_err().to_string()
    };
    assert!(load("namespace: shop").contains("exactly one thing"));
    assert!(load("deployment: api, job: x").contains("exactly one thing"));
    assert!(load("deploymnet: api").contains("did you mean `deployment`"));
    assert!(load("object: { kind: ExternalSecret, name: x }").contains("needs `apiVersion`"));
    assert!(load("events: { since: soon }").contains("duration"));
}
