//! `examples/field-system-1/cluster.yaml` end to end with the real binary: the Kubernetes
//! API double serves namespace `vehicle-diagnostics` as FIELD.md system 1 deployed it
//! (fixtures from `tests/fixtures/field-system-1/make_fixtures.py`, Helm release Secrets in
//! Helm's own encoding), and a real Prometheus scrapes two loopback `/metrics` targets.
//! Healthy: ready. The FIELD.md failure (HPA metrics `<unknown>`, ExternalSecret not
//! synced, a scrape target down): not ready, each reason named in report.md; no Secret or
//! Helm value reaches any output file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_test_support::kube_api::KubeApi;
use shipcheck_test_support::prometheus::Prometheus;

const TOKEN: &str = "fs1-cluster-token-5c2e";
/// Values planted by `make_fixtures.py` (the app Secret and the Helm release values), and
/// the base64 of the Secret's (what the API returns).
const PLANTED: &[&str] = &[
    "jwt-Planted-S3cret-fs1",
    "and0LVBsYW50ZWQtUzNjcmV0LWZzMQ==",
    "Planted-Pg-S3cret-fs1",
    "Planted-Helm-Values-S3cret-fs1",
    TOKEN,
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/field-system-1")
}

/// A loopback `/metrics` endpoint as the FastAPI app exposes it: its request counter grows
/// on every scrape, so `rate()` has something to say. Stops (connection refused) on drop.
struct MetricsTarget {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsTarget {
    fn start() -> MetricsTarget {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let count = AtomicU64::new(0);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let n = count.fetch_add(10, Ordering::Relaxed) + 10;
                let body = format!(
                    "# TYPE http_requests_total counter\nhttp_requests_total{{method=\"GET\",status=\"200\"}} {n}\n"
                );
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        MetricsTarget {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for MetricsTarget {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// GET `path` of the Prometheus API, the JSON body.
fn prom_get(prom: &Prometheus, path: &str) -> Value {
    let mut s = TcpStream::connect(("127.0.0.1", prom.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or(Value::Null)
}

/// Waits (at most 20 s) until Prometheus sees every target with `health` as wanted
/// (`up`/`down` by job) and has two samples for `rate()`.
fn wait_for(prom: &Prometheus, want: &[(&str, &str)]) {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let targets = prom_get(prom, "/api/v1/targets?state=active");
        let healths_ok = want.iter().all(|(job, health)| {
            targets["data"]["activeTargets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| t["labels"]["job"] == *job && t["health"] == *health)
        });
        let rate = prom_get(
            prom,
            "/api/v1/query?query=sum(rate(http_requests_total%5B5m%5D))",
        );
        let rate_ok = rate["data"]["result"]
            .as_array()
            .is_some_and(|r| !r.is_empty());
        if healths_ok && rate_ok {
            return;
        }
        assert!(
            Instant::now() < until,
            "prometheus never saw {want:?}: {targets}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Runs `shipcheck verify cluster.yaml`: exit code, report.json, report.md, and every
/// output (stdout, stderr, each file written).
fn verify(kubeconfig: &Path, prom: &Prometheus, out: &Path) -> (i32, Value, String, String) {
    let plan =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/field-system-1/cluster.yaml");
    let run = support::shipcheck(
        &[
            "verify",
            plan.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &[
            ("KUBECONFIG", kubeconfig.to_str().unwrap()),
            ("KUBE_CONTEXT", "double"),
            ("PROMETHEUS_URL", &prom.url()),
        ],
        out.parent().unwrap(),
    );
    let mut all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for entry in std::fs::read_dir(out).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|_| panic!("{all}")),
    )
    .unwrap();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    (run.status.code().unwrap_or(-1), report, md, all)
}

fn status<'a>(report: &'a Value, id: &str) -> &'a Value {
    &report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))["status"]
}

fn assert_no_secret(all: &str) {
    for s in PLANTED {
        assert!(!all.contains(s), "a secret value leaked into the output");
    }
}

#[test]
fn field_system_1_cluster_checks_end_to_end() {
    let backend = MetricsTarget::start();
    let worker = MetricsTarget::start();
    let Some(prom) = Prometheus::start(&[
        ("backend", vec![backend.addr()]),
        ("worker", vec![worker.addr()]),
    ]) else {
        return;
    };
    let api = KubeApi::start(TOKEN);
    api.load(&fixtures().join("healthy.json"));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = api.kubeconfig(dir.path(), "vehicle-diagnostics");
    wait_for(&prom, &[("backend", "up"), ("worker", "up")]);

    let (code, report, md, all) = verify(&kubeconfig, &prom, &dir.path().join("healthy"));
    assert_eq!(report["verdict"]["status"], "ready", "{md}");
    assert_eq!(code, 0);
    assert_eq!(report["coverage"]["ran"], report["coverage"]["planned"]);
    assert_no_secret(&all);
    // Read-only: the probes only listed.
    assert!(api.requests().iter().all(|r| r.starts_with("GET ")));

    // The FIELD.md failure: no metrics API, the secret provider lost the key, and one
    // scrape target is gone.
    api.load(&fixtures().join("failure.json"));
    let worker_addr = worker.addr();
    drop(worker);
    wait_for(&prom, &[("backend", "up"), ("worker", "down")]);
    let (code, report, md, all) = verify(&kubeconfig, &prom, &dir.path().join("failure"));
    assert_eq!(code, 1, "{md}");
    assert_eq!(report["verdict"]["status"], "not-ready");
    for id in ["hpa", "external-secret", "prometheus-targets"] {
        assert_eq!(status(&report, id), "failed", "{id}: {md}");
    }
    for id in [
        "helm-release",
        "migration-job",
        "backend-deployment",
        "frontend-deployment",
        "pods",
        "secret-store",
        "app-secret-keys",
        "no-warnings",
        "error-rate",
    ] {
        assert_eq!(status(&report, id), "passed", "{id}: {md}");
    }
    let verdict = &md[md.find("## Verdict").unwrap()..];
    for reason in [
        "critical check `hpa` failed: metrics known: expected equals true, got false (cpu: \\<unknown\\>/70%",
        "ScalingActive False: FailedGetResourceMetric",
        "critical check `external-secret` failed: condition Ready: expected equals True, got False (SecretSyncedError",
        &format!(
            "critical check `prometheus-targets` failed: targets up: expected equals true, got false (worker/{worker_addr} is down"
        ),
    ] {
        assert!(
            verdict.contains(reason),
            "report.md's verdict does not say {reason}: {md}"
        );
    }
    assert_no_secret(&all);
    // `SHIPCHECK_KEEP_SAMPLE=FILE` keeps this report.md (the plan's absolute path made
    // relative to the repository) for examples/field-system-1/sample-report.md.
    if let Ok(keep) = std::env::var("SHIPCHECK_KEEP_SAMPLE") {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../");
        std::fs::write(keep, md.replace(root.to_str().unwrap(), "")).unwrap();
    }
}
