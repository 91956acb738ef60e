//! `until:` on a `helm` check: the runner polls a release through the Kubernetes API double
//! while an upgrade lands mid-run (revision 4 pending, then deployed with its migration
//! hook), and the check passes on an attempt after the change; no release value reaches
//! the run's output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use shipcheck_report::Status;
use shipcheck_runner::{Cancel, RunOptions, execute};
use shipcheck_test_support::kube_api::KubeApi;

fn fixtures() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shipcheck_helm/tests/fixtures"
    ))
}

/// A release Secret of `shop` revision `rev` as Helm writes it (JSON, gzip, base64, and the
/// API's base64).
fn release_secret(rev: u64, status: &str, description: &str, hook_phase: &str) -> Value {
    let rel = json!({
        "name": "shop", "namespace": "shop", "version": rev,
        "info": { "status": status, "description": description,
                  "first_deployed": "2026-11-30T09:00:03Z", "last_deployed": "2026-12-04T10:00:00Z" },
        "chart": { "metadata": { "name": "shop", "version": "0.8.0", "appVersion": "1.5.0", "apiVersion": "v2" } },
        "config": { "db": { "password": "hunter2-s3cr3t-runner" } },
        "hooks": [{ "name": "shop-migrate", "kind": "Job", "events": ["pre-upgrade"],
                    "last_run": { "phase": hook_phase, "started_at": "2026-12-04T09:59:00Z",
                                  "completed_at": "2026-12-04T09:59:30Z" } }],
    });
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(rel.to_string().as_bytes()).unwrap();
    let helm = STANDARD.encode(gz.finish().unwrap());
    json!({ "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": { "name": format!("sh.helm.release.v1.shop.v{rev}"), "namespace": "shop",
                      "labels": { "owner": "helm", "name": "shop", "status": status, "version": rev.to_string() } },
        "data": { "release": STANDARD.encode(helm) } })
}

#[tokio::test(flavor = "multi_thread")]
async fn until_sees_a_helm_upgrade_land() {
    let api = Arc::new(KubeApi::start("runner-helm-token-19"));
    api.load(&fixtures().join("shop.secrets.json"));
    api.put(release_secret(
        4,
        "pending-upgrade",
        "Preparing upgrade",
        "Running",
    ));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = api.kubeconfig(dir.path(), "shop");
    // Helm finishes after the probe's third LIST: 4 deployed, its hook succeeded.
    let helm = api.change_after(3, |api| {
        api.put(release_secret(
            4,
            "deployed",
            "Upgrade complete",
            "Succeeded",
        ));
    });
    let yaml = format!(
        "name: t\nchecks:\n  - id: shop\n    until: {{ within: 20s, every: 100ms }}\n    helm: {{ kubeconfig: \"{}\", release: shop, after_revision: 3, hooks: [shop-migrate] }}\n    expect: {{ chart_version: 0.8.0, app_version: 1.5.0 }}\n",
        kubeconfig.display()
    );
    let plan = shipcheck_plan::load_str(
        &yaml,
        Path::new("plan.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    )
    .unwrap();
    let out = execute(&plan, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    helm.join().unwrap();
    let c = &out.checks[0];
    assert_eq!(c.status, Status::Passed, "{c:?}");
    assert!(c.attempts.len() >= 3, "{:?}", c.attempts);
    let first = format!("{:?}", c.attempts[0]);
    assert!(
        first.contains("pending-upgrade") && first.contains("Preparing upgrade"),
        "{first}"
    );
    let all = format!("{out:?}");
    assert!(
        all.contains("hook shop-migrate"),
        "the hook's duration is measured"
    );
    assert!(
        !all.contains("hunter2"),
        "a release value reached the run's output"
    );
    assert!(
        !all.contains("runner-helm-token-19"),
        "the token is redacted"
    );
    assert!(api.requests().iter().all(|r| r.starts_with("GET ")));
}
