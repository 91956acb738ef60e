//! The client against the API double: LISTs with selectors and bounds, Secrets without
//! their values, and each failure classified (`auth`, `connect`, `protocol`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::time::Duration;

use shipcheck_kube::{Cluster, ListRequest, Resource, Target};
use shipcheck_report::FailureClass;
use shipcheck_test_support::free_port;
use shipcheck_test_support::kube_api::KubeApi;

const TOKEN: &str = "kube-test-token-6d1f";

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn double(dir: &Path) -> (KubeApi, Target) {
    let api = KubeApi::start(TOKEN);
    api.load_dir(fixtures());
    let target = Target {
        kubeconfig: Some(api.kubeconfig(dir, "shop")),
        ..Target::default()
    };
    (api, target)
}

fn names(items: &[serde_json::Value]) -> Vec<&str> {
    items
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn lists_with_selectors_in_the_context_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let (api, target) = double(dir.path());
    let cluster = Cluster::connect(&target, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(cluster.namespace(), "shop");
    assert_eq!(cluster.secrets(), [TOKEN.to_owned()]);

    let deploy = Resource::builtin("deploy").unwrap();
    let all = cluster.list(&ListRequest::new(&deploy)).await.unwrap();
    assert_eq!(names(&all.items), ["api", "web", "worker"]);
    assert_eq!(all.items[0]["kind"], "Deployment");
    assert_eq!(all.items[0]["apiVersion"], "apps/v1");
    assert!(!all.truncated);

    let pods = Resource::builtin("pods").unwrap();
    let mut req = ListRequest::new(&pods);
    req.label_selector = Some("app=api,pod-template-hash!=7d9c8f6b5");
    let some = cluster.list(&req).await.unwrap();
    assert_eq!(
        names(&some.items),
        ["api-5f6b7c8d9-k8s7d", "api-5f6b7c8d9-p9w2m"]
    );

    let mut req = ListRequest::new(&deploy);
    req.field_selector = Some("metadata.name=web");
    assert_eq!(names(&cluster.list(&req).await.unwrap().items), ["web"]);

    let mut req = ListRequest::new(&deploy);
    req.max_objects = 2;
    let cut = cluster.list(&req).await.unwrap();
    assert!(cut.truncated);
    assert_eq!(cut.items.len(), 2);

    let mut req = ListRequest::new(&deploy);
    req.namespace = Some("other");
    assert!(cluster.list(&req).await.unwrap().items.is_empty());

    // A CRD the cluster does not serve.
    let missing = Resource::from_api_version("monitoring.coreos.com/v1", "ServiceMonitor", None);
    let e = cluster.list(&ListRequest::new(&missing)).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Protocol);
    assert!(
        e.message.contains("404") && e.message.contains("servicemonitors"),
        "{e}"
    );

    let es = Resource::from_api_version("external-secrets.io/v1", "ExternalSecret", None);
    assert_eq!(
        names(&cluster.list(&ListRequest::new(&es)).await.unwrap().items),
        ["api-env", "web-env"]
    );

    // Reads only, one request per LIST.
    let requests = api.requests();
    assert_eq!(requests.len(), 7, "{requests:?}");
    assert!(
        requests.iter().all(|r| r.starts_with("GET ")),
        "{requests:?}"
    );
    assert!(
        requests[1].contains("labelSelector=app%3Dapi%2Cpod-template-hash%21%3D7d9c8f6b5"),
        "{requests:?}"
    );
}

#[tokio::test]
async fn secret_values_are_dropped_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (_api, target) = double(dir.path());
    let cluster = Cluster::connect(&target, Duration::from_secs(5))
        .await
        .unwrap();
    let secrets = Resource::builtin("secret").unwrap();
    let stripped = cluster.list(&ListRequest::new(&secrets)).await.unwrap();
    let text = serde_json::to_string(&stripped.items).unwrap();
    assert!(!text.contains("Pl4nted"), "{text}");
    assert!(!text.contains("cG9zdGdyZXM6"), "{text}");
    assert_eq!(
        shipcheck_kube::secret_key_names(&stripped.items[0]),
        ["DATABASE_URL", "REDIS_URL"]
    );

    let mut req = ListRequest::new(&secrets);
    req.keep_secret_values = true;
    let kept = cluster.list(&req).await.unwrap();
    assert!(
        kept.items[0]["data"]["DATABASE_URL"]
            .as_str()
            .unwrap()
            .starts_with("cG9zdGdyZXM6")
    );
}

#[tokio::test]
async fn failures_are_classified() {
    let dir = tempfile::tempdir().unwrap();
    let (_api, target) = double(dir.path());
    let deploy = Resource::builtin("deployment").unwrap();

    // A wrong token: 401, `auth`, and the token is not in the message.
    let wrong = Target {
        context: Some("wrong-token".into()),
        ..target.clone()
    };
    let cluster = Cluster::connect(&wrong, Duration::from_secs(5))
        .await
        .unwrap();
    let e = cluster.list(&ListRequest::new(&deploy)).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Auth, "{e}");
    assert!(
        e.message.contains("401") && e.message.contains("Unauthorized"),
        "{e}"
    );
    assert!(!e.message.contains(TOKEN));

    // A context the kubeconfig does not have.
    let none = Target {
        context: Some("prod".into()),
        ..target.clone()
    };
    let e = Cluster::connect(&none, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(e.class, FailureClass::Connect, "{e}");
    assert!(e.message.contains("prod"), "{e}");

    // No kubeconfig file.
    let missing = Target {
        kubeconfig: Some(dir.path().join("nope")),
        ..Target::default()
    };
    let e = Cluster::connect(&missing, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(e.class, FailureClass::Connect);
    assert!(e.message.contains("does not exist"), "{e}");

    // Nothing listens.
    let port = free_port();
    let text = std::fs::read_to_string(target.kubeconfig.as_ref().unwrap()).unwrap();
    let gone = dir.path().join("gone");
    let url = text
        .lines()
        .find(|l| l.contains("server:"))
        .unwrap()
        .trim()
        .trim_start_matches("server: ")
        .to_owned();
    std::fs::write(
        &gone,
        text.replace(&url, &format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    let unreachable = Target {
        kubeconfig: Some(gone),
        ..Target::default()
    };
    let cluster = Cluster::connect(&unreachable, Duration::from_secs(3))
        .await
        .unwrap();
    let e = cluster.list(&ListRequest::new(&deploy)).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Connect, "{e}");
    assert!(e.message.contains(&port.to_string()), "{e}");
}

#[tokio::test]
async fn https_with_the_clusters_authority_and_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let ca = shipcheck_test_support::Ca::new();
    let api = KubeApi::start_tls(TOKEN, &ca);
    api.load_dir(fixtures());
    assert!(api.url().starts_with("https://"));
    let target = Target {
        kubeconfig: Some(api.kubeconfig(dir.path(), "shop")),
        ..Target::default()
    };
    let deploy = Resource::builtin("deployment").unwrap();
    let cluster = Cluster::connect(&target, Duration::from_secs(5))
        .await
        .unwrap();
    let list = cluster.list(&ListRequest::new(&deploy)).await.unwrap();
    assert_eq!(names(&list.items), ["api", "web", "worker"]);

    // Another CA in the kubeconfig: the server's certificate is refused, class `tls`.
    std::fs::write(
        dir.path().join("kube-ca.pem"),
        shipcheck_test_support::Ca::new().pem,
    )
    .unwrap();
    let cluster = Cluster::connect(&target, Duration::from_secs(5))
        .await
        .unwrap();
    let e = cluster.list(&ListRequest::new(&deploy)).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Tls, "{e}");
}
