//! The `helm` kind end to end against the Kubernetes API double (`shipcheck_test_support::
//! kube_api`) serving the release fixtures: one LIST per attempt by label selector, the
//! history judged, the token redacted, and an upgrade seen by the next attempt.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use shipcheck_report::FailureClass;
use shipcheck_test_support::kube_api::KubeApi;

use crate::kinds::test_util::{check, results, run};

const TOKEN: &str = "helm-test-token-41c9";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipcheck_helm/tests/fixtures").join(name)
}

fn double(dir: &Path) -> (KubeApi, PathBuf) {
    let api = KubeApi::start(TOKEN);
    for f in ["shop.secrets.json", "worker.secrets.json", "cache.configmaps.json"] {
        api.load(&fixture(f));
    }
    let kubeconfig = api.kubeconfig(dir, "shop");
    (api, kubeconfig)
}

/// Release Secret `obj` rewritten as revision `rev` with `status` (as an upgrade leaves
/// it), encoded as Helm does.
fn next_revision(obj: &Value, rev: u64, status: &str) -> Value {
    let helm = STANDARD.decode(obj["data"]["release"].as_str().unwrap()).unwrap();
    let gz = STANDARD.decode(helm).unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut json).unwrap();
    let mut rel: Value = serde_json::from_str(&json).unwrap();
    rel["version"] = json!(rev);
    rel["info"]["status"] = json!(status);
    rel["info"]["description"] = json!("Upgrade complete");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(rel.to_string().as_bytes()).unwrap();
    let payload = STANDARD.encode(e.finish().unwrap());
    let mut out = obj.clone();
    out["metadata"]["name"] = json!(format!("sh.helm.release.v1.shop.v{rev}"));
    out["metadata"]["labels"]["version"] = json!(rev.to_string());
    out["metadata"]["labels"]["status"] = json!(status);
    out["data"]["release"] = json!(STANDARD.encode(payload));
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn release_history_from_the_api_double() {
    let dir = tempfile::tempdir().unwrap();
    let (api, kc) = double(dir.path());
    let kc = kc.display();

    // The context's namespace (shop): the rollback history passes.
    let c = check(&format!(
        "    helm: {{ release: shop, kubeconfig: \"{kc}\", hooks: [shop-migrate] }}\n    expect: {{ revision: 3, earlier_superseded: true, chart_version: 0.7.0 }}\n"
    ));
    let o = run(&c).await.unwrap();
    let r = results(&c, &o);
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    assert_eq!(o.sent_secrets, [TOKEN.to_owned()], "the token is handed over for redaction");
    assert!(o.evidence[0].text.contains(&format!("namespace shop at {}", api.url())), "{}", o.evidence[0].text);
    let reqs = api.requests();
    assert_eq!(reqs.len(), 1, "one LIST per attempt: {reqs:?}");
    assert!(
        reqs[0].starts_with("GET /api/v1/namespaces/shop/secrets?")
            && reqs[0].contains("labelSelector=owner%3Dhelm%2Cname%3Dshop"),
        "{reqs:?}"
    );

    // Another namespace, the failed hook; the ConfigMap driver.
    let c = check(&format!(
        "    helm: {{ release: worker, namespace: jobs, kubeconfig: \"{kc}\" }}\n    expect: {{ hooks_succeeded: true }}\n"
    ));
    let r = results(&c, &run(&c).await.unwrap());
    assert!(r.iter().all(|a| !a.passed), "{r:?}");
    assert!(r[1].actual.contains("revision 2: hook worker-migrate (Job, pre-upgrade) Failed"), "{r:?}");
    let c = check(&format!(
        "    helm: {{ release: cache, namespace: cache, driver: configmap, kubeconfig: \"{kc}\" }}\n    expect: {{ revision: 2 }}\n"
    ));
    let r = results(&c, &run(&c).await.unwrap());
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    assert!(api.requests().iter().any(|l| l.starts_with("GET /api/v1/namespaces/cache/configmaps?")));
    assert!(api.requests().iter().all(|l| l.starts_with("GET ")), "reads only");

    // A refused token is an `auth` error, not a failure.
    let c = check(&format!("    helm: {{ release: shop, kubeconfig: \"{kc}\", context: wrong-token }}\n"));
    let err = run(&c).await.unwrap_err();
    assert_eq!(err.class, FailureClass::Auth, "{err}");
    // No kubeconfig file: `connect`.
    let c = check("    helm: { release: shop, kubeconfig: /nonexistent/kubeconfig }\n");
    assert_eq!(run(&c).await.unwrap_err().class, FailureClass::Connect);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_attempt_sees_an_upgrade_land() {
    let dir = tempfile::tempdir().unwrap();
    let (api, kc) = double(dir.path());
    let c = check(&format!(
        "    helm: {{ release: shop, kubeconfig: \"{}\", after_revision: 3 }}\n    expect: {{ earlier_superseded: true }}\n",
        kc.display()
    ));
    // An upgrade in progress: revision 4 pending, revision 3 still deployed.
    let listed: Value = serde_json::from_str(&std::fs::read_to_string(fixture("shop.secrets.json")).unwrap()).unwrap();
    let rev3 = listed["items"].as_array().unwrap().iter().find(|o| o["metadata"]["labels"]["version"] == "3").unwrap().clone();
    api.put(next_revision(&rev3, 4, "pending-upgrade"));
    let r = results(&c, &run(&c).await.unwrap());
    let status = r.iter().find(|a| a.subject == "release status").unwrap();
    assert!(!status.passed && status.actual.contains("pending-upgrade"), "{r:?}");
    // Helm finishes: revision 4 deployed, 3 superseded.
    api.put(next_revision(&rev3, 4, "deployed"));
    api.put(next_revision(&rev3, 3, "superseded"));
    let r = results(&c, &run(&c).await.unwrap());
    assert!(r.iter().all(|a| a.passed), "{r:?}");
}
