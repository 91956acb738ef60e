//! `until:` on a `kubernetes` check: the runner polls a Deployment through the Kubernetes
//! API double while the double rolls it out mid-run, and the check passes on the attempt
//! after the change, the earlier ones failing with the rollout's state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use shipcheck_report::Status;
use shipcheck_runner::{Cancel, RunOptions, execute};
use shipcheck_test_support::kube_api::KubeApi;

fn fixture(file: &str, name: &str) -> Value {
    let path = format!(
        "{}/../shipcheck_kube/tests/fixtures/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let list: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["metadata"]["name"] == name)
        .unwrap()
        .clone()
}

/// What the cluster shows once the rollout of `api` finished: three new pods, ready.
fn roll_out(api: &KubeApi) {
    let mut d = fixture("deployments.json", "api");
    d["status"] = json!({"availableReplicas": 3, "observedGeneration": 5, "readyReplicas": 3, "replicas": 3, "updatedReplicas": 3,
        "conditions": d["status"]["conditions"].clone()});
    let crashing = fixture("pods.json", "api-7d9c8f6b5-x2x4q");
    for old in [
        "api-5f6b7c8d9-k8s7d",
        "api-5f6b7c8d9-p9w2m",
        "api-7d9c8f6b5-x2x4q",
    ] {
        api.remove("Pod", "shop", old);
    }
    for name in [
        "api-7d9c8f6b5-a1b2c",
        "api-7d9c8f6b5-d3e4f",
        "api-7d9c8f6b5-g5h6i",
    ] {
        let mut p = crashing.clone();
        p["metadata"]["name"] = json!(name);
        p["status"]["containerStatuses"][0]["ready"] = json!(true);
        p["status"]["containerStatuses"][0]["started"] = json!(true);
        p["status"]["containerStatuses"][0]["restartCount"] = json!(0);
        p["status"]["containerStatuses"][0]["lastState"] = json!({});
        p["status"]["containerStatuses"][0]["state"] =
            json!({"running": {"startedAt": "2026-12-04T10:20:00Z"}});
        for c in p["status"]["conditions"].as_array_mut().unwrap() {
            c["status"] = json!("True");
            c.as_object_mut().unwrap().remove("reason");
            c.as_object_mut().unwrap().remove("message");
        }
        api.put(p);
    }
    api.put(d);
}

#[tokio::test(flavor = "multi_thread")]
async fn until_sees_a_deployment_become_available_while_it_rolls_out() {
    let api = Arc::new(KubeApi::start("runner-token-77"));
    api.load_dir(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shipcheck_kube/tests/fixtures"
    )));
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = api.kubeconfig(dir.path(), "shop");
    // The rollout finishes after the probe's third attempt (two LISTs each).
    let roller = api.change_after(6, roll_out);
    let yaml = format!(
        "name: t\nchecks:\n  - id: api\n    until: {{ within: 20s, every: 100ms }}\n    kubernetes: {{ kubeconfig: \"{}\", deployment: api }}\n    expect: {{ image: registry.example.com/shop/api:1.5.0 }}\n",
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
    roller.join().unwrap();
    let c = &out.checks[0];
    assert_eq!(c.status, Status::Passed, "{c:?}");
    assert!(c.attempts.len() >= 4, "{:?}", c.attempts);
    let first = format!("{:?}", c.attempts[0]);
    assert!(
        first.contains("deployment api: 2/3 ready, 1/3 updated"),
        "{first}"
    );
    assert!(first.contains("CrashLoopBackOff"), "{first}");
    let last = format!("{c:?}");
    assert!(
        last.contains("3 containers run registry.example.com/shop/api:1.5.0"),
        "{last}"
    );
    assert!(api.requests().iter().all(|r| r.starts_with("GET ")));
}
