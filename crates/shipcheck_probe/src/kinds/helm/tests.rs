//! The `helm` kind on Helm release objects generated with Helm's field names and encoding
//! (`crates/shipcheck_helm/tests/make_fixtures.py`), read from saved listings, and on
//! hostile ones (a decompression bomb, corrupt layers) written by the tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use shipcheck_plan::kind::Observed;
use shipcheck_plan::{Check, load_str};
use shipcheck_report::AssertionResult;

use super::facts::HelmFacts;
use crate::KINDS;
use crate::kinds::test_util::check;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipcheck_helm/tests/fixtures").join(name)
}

async fn run(c: &Check) -> (Observed, Vec<AssertionResult>) {
    let o = crate::kinds::test_util::run(c).await.unwrap();
    let r = crate::kinds::test_util::results(c, &o);
    (o, r)
}

fn helm_check(keys: &str, expect: &str) -> Check {
    let mut yaml = format!("    helm: {{ {keys} }}\n");
    if !expect.is_empty() {
        yaml.push_str(&format!("    expect: {{ {expect} }}\n"));
    }
    check(&yaml)
}

fn by_subject<'a>(r: &'a [AssertionResult], subject: &str) -> &'a AssertionResult {
    r.iter().find(|a| a.subject == subject).unwrap_or_else(|| panic!("no {subject}: {r:?}"))
}

/// Everything a report could show of an attempt, as one text.
fn all_output(o: &Observed, r: &[AssertionResult]) -> String {
    let facts = o.facts.as_any().downcast_ref::<HelmFacts>().unwrap();
    format!(
        "{:?}\n{:?}\n{:?}\n{}\n{:?}",
        o.evidence,
        o.measurements,
        r,
        facts.doc,
        facts
    )
}

#[tokio::test]
async fn a_rollback_history_passes_with_its_hooks_and_hash() {
    let file = fixture("shop.secrets.json");
    let f = file.display();
    let c = helm_check(
        &format!("release: shop, namespace: shop, file: \"{f}\", hooks: [shop-migrate], after_revision: 2"),
        "revision: 3, revisions: 3, earlier_superseded: true, chart: shop, chart_version: 0.7.0, app_version: 1.4.2",
    );
    let (o, r) = run(&c).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    // Implied: status deployed, hooks succeeded, a new revision.
    for s in ["release status", "hooks succeeded", "new revision"] {
        assert!(by_subject(&r, s).passed);
    }
    let hook = o.measurements.iter().find(|m| m.name == "hook shop-migrate").unwrap();
    assert_eq!(hook.value, 12_250.0);
    let ev = &o.evidence[0].text;
    assert!(ev.contains("Rollback to 1") && ev.contains("shop-0.8.0"), "{ev}");
    assert!(ev.contains("keys: db.host, db.password, image.tag, replicas"), "{ev}");
    assert!(ev.contains("hook shop-migrate (Job, pre-install,pre-upgrade): Succeeded"), "{ev}");

    // The values hash: revision 3 has revision 1's values back, not revision 2's.
    let facts = o.facts.as_any().downcast_ref::<HelmFacts>().unwrap();
    let h1 = facts.doc["history"][0]["values_hash"].as_str().unwrap().to_owned();
    let h2 = facts.doc["history"][1]["values_hash"].as_str().unwrap().to_owned();
    let same = helm_check(&format!("release: shop, file: \"{f}\""), &format!("values_hash: {h1}"));
    assert!(run(&same).await.1.iter().all(|a| a.passed));
    let other = helm_check(&format!("release: shop, file: \"{f}\""), &format!("values_hash: {h2}"));
    let (_, r) = run(&other).await;
    assert!(!by_subject(&r, "values hash").passed);

    // Not a newer revision than 3; a wrong chart version.
    let stale = helm_check(
        &format!("release: shop, file: \"{f}\", after_revision: \"3\""),
        "chart_version: 0.8.0",
    );
    let (_, r) = run(&stale).await;
    let newer = by_subject(&r, "new revision");
    assert!(!newer.passed && newer.actual.contains("revision 3 is not above 3"), "{newer:?}");
    assert!(!by_subject(&r, "chart version").passed);
}

#[tokio::test]
async fn a_failed_pre_upgrade_hook_is_named_with_its_revision() {
    let f = fixture("worker.secrets.json");
    let c = helm_check(
        &format!("release: worker, namespace: jobs, file: \"{}\"", f.display()),
        "hooks_succeeded: true, earlier_superseded: true",
    );
    let (o, r) = run(&c).await;
    let status = by_subject(&r, "release status");
    assert!(!status.passed);
    assert!(status.actual.contains("failed") && status.actual.contains("BackoffLimitExceeded"), "{status:?}");
    let hooks = by_subject(&r, "hooks succeeded");
    assert!(!hooks.passed);
    assert!(
        hooks.actual.contains("revision 2: hook worker-migrate (Job, pre-upgrade) Failed after 87.2 s"),
        "{hooks:?}"
    );
    let earlier = by_subject(&r, "earlier revisions superseded");
    assert!(!earlier.passed && earlier.actual.contains("revision 1 is deployed"), "{earlier:?}");
    assert_eq!(o.measurements.iter().find(|m| m.name == "hook worker-migrate").unwrap().value, 87_250.0);
    // Helm 4's fields reach the document.
    let facts = o.facts.as_any().downcast_ref::<HelmFacts>().unwrap();
    assert_eq!(facts.doc["current"]["apply_method"], "ssa");
    // Another namespace holds no revision of it.
    let elsewhere = helm_check(&format!("release: worker, namespace: shop, file: \"{}\"", f.display()), "");
    let (_, r) = run(&elsewhere).await;
    assert!(r[0].actual.contains("no revision of release `worker`"), "{r:?}");
}

#[tokio::test]
async fn a_named_hook_that_did_not_run_fails() {
    let f = fixture("worker.secrets.json");
    // Revision 1 alone: its pre-upgrade hook never ran (an install does not run it).
    let items: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    std::fs::write(&one, items["items"][0].to_string()).unwrap();
    let c = helm_check(&format!("release: worker, file: \"{}\", hooks: [worker-migrate, seed]", one.display()), "");
    let (_, r) = run(&c).await;
    let hooks = by_subject(&r, "hooks succeeded");
    assert!(!hooks.passed);
    assert!(hooks.actual.contains("revision 1 has no hook `seed` (its hooks: worker-migrate)"), "{hooks:?}");
    assert!(hooks.actual.contains("revision 1: hook worker-migrate (Job, pre-upgrade) did not run"), "{hooks:?}");
}

#[tokio::test]
async fn legacy_plain_and_configmap_releases() {
    let legacy = helm_check(&format!("release: legacy, file: \"{}\"", fixture("legacy.secrets.json").display()), "revision: 1");
    assert!(run(&legacy).await.1.iter().all(|a| a.passed));
    let cm = fixture("cache.configmaps.json");
    let c = helm_check(&format!("release: cache, driver: configmap, file: \"{}\"", cm.display()), "chart_version: 7.2.1, app_version: 7.2.5");
    let (_, r) = run(&c).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    // The Secret driver finds no Secret among ConfigMaps.
    let wrong = helm_check(&format!("release: cache, file: \"{}\"", cm.display()), "");
    let (_, r) = run(&wrong).await;
    assert!(r[0].actual.contains("(Secrets labelled owner=helm,name=cache)"), "{r:?}");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn secret(name: &str, rev: u32, helm_bytes: &[u8]) -> Value {
    json!({ "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": { "name": format!("sh.helm.release.v1.{name}.v{rev}"),
                      "labels": { "owner": "helm", "name": name, "version": rev.to_string() } },
        "data": { "release": STANDARD.encode(STANDARD.encode(helm_bytes)) } })
}

#[tokio::test]
async fn a_decompression_bomb_in_a_release_secret_is_refused_fast() {
    // The shop history plus a revision 4 that inflates to 50 MB.
    let mut list: Value = serde_json::from_str(&std::fs::read_to_string(fixture("shop.secrets.json")).unwrap()).unwrap();
    let bomb = gzip(&vec![b' '; 50_000_000]);
    list["items"].as_array_mut().unwrap().push(secret("shop", 4, &bomb));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.json");
    std::fs::write(&path, list.to_string()).unwrap();
    let c = helm_check(&format!("release: shop, file: \"{}\"", path.display()), "");
    let start = Instant::now();
    let (_, r) = run(&c).await;
    let took = start.elapsed();
    eprintln!("helm check with a 50 MB bomb ({} bytes gzip) judged in {took:?}", bomb.len());
    assert!(took.as_secs() < 5, "{took:?}");
    // The newest revision is unreadable, so no revision is judged current.
    assert!(!r[0].passed);
    assert!(
        r[0].actual.contains("sh.helm.release.v1.shop.v4: the release decompresses to more than 16777216 bytes"),
        "{r:?}"
    );
    // A lower cap from the plan.
    let small = helm_check(&format!("release: shop, file: \"{}\", max_release_size: 1KiB", fixture("shop.secrets.json").display()), "");
    let (_, r) = run(&small).await;
    assert!(r[0].actual.contains("more than 1024 bytes"), "{r:?}");
}

#[tokio::test]
async fn corrupt_objects_are_clear_failures() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(Value, &str); 3] = [
        (secret("bad", 1, b"\x1f\x8b\x08garbage-after-the-magic"), "the release's gzip stream is corrupt"),
        (secret("bad", 1, &gzip(b"{\"version\": \"one\"}")), "the decoded release is not Helm release JSON"),
        ({
            let mut s = secret("bad", 1, b"{}");
            s["data"]["release"] = json!("@@@");
            s
        }, "the Secret's data is not valid base64"),
    ];
    for (obj, want) in cases {
        let path = dir.path().join("bad.json");
        std::fs::write(&path, json!({ "kind": "List", "items": [obj] }).to_string()).unwrap();
        let c = helm_check(&format!("release: bad, file: \"{}\"", path.display()), "");
        let (_, r) = run(&c).await;
        assert!(!r[0].passed);
        assert!(r[0].actual.contains(&format!("sh.helm.release.v1.bad.v1: {want}")), "{r:?}");
    }
    // A file that is not a listing is an error of the check, not a failure.
    let path = dir.path().join("not.json");
    std::fs::write(&path, "not json").unwrap();
    let c = helm_check(&format!("release: bad, file: \"{}\"", path.display()), "");
    let err = crate::kinds::test_util::run(&c).await.unwrap_err();
    assert!(err.to_string().starts_with("protocol: "), "{err}");
    assert!(err.message.contains("is not a `kubectl get -o json` listing"), "{err}");
}

#[tokio::test]
async fn release_values_never_reach_any_output() {
    for (file, name, secret) in [
        ("shop.secrets.json", "shop", "hunter2-s3cr3t-shop"),
        ("worker.secrets.json", "worker", "hunter2-s3cr3t-worker"),
    ] {
        let c = helm_check(
            &format!("release: {name}, file: \"{}\"", fixture(file).display()),
            "json: { \"$.current.value_keys\": { length: { at_least: 1 } } }, earlier_superseded: true, hooks_succeeded: true",
        );
        let (o, r) = run(&c).await;
        let out = all_output(&o, &r);
        assert!(!out.contains(secret) && !out.contains("hunter2"), "{name}: a value leaked");
        assert!(out.contains("db.password") || out.contains("queue.url"), "key names are shown");
    }
}

#[tokio::test]
async fn each_attempt_rereads_so_until_sees_the_upgrade() {
    // Attempt 1 sees revisions 1–2 (an upgrade pending), attempt 2 all three.
    let all: Value = serde_json::from_str(&std::fs::read_to_string(fixture("shop.secrets.json")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.json");
    let items = all["items"].as_array().unwrap();
    let without_3: Vec<&Value> = items.iter().filter(|o| o["metadata"]["labels"]["version"] != "3").collect();
    std::fs::write(&path, json!({ "items": without_3 }).to_string()).unwrap();
    let c = helm_check(&format!("release: shop, file: \"{}\", after_revision: 2", path.display()), "");
    let (_, r) = run(&c).await;
    assert!(!r.iter().all(|a| a.passed), "{r:?}");
    std::fs::write(&path, all.to_string()).unwrap();
    let (_, r) = run(&c).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
}

#[test]
fn plan_errors_name_the_key() {
    let load = |helm: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n    helm: {helm}\n");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS).unwrap_err().to_string()
    };
    assert!(load("{ namespace: shop }").contains("a helm check needs `release`"));
    assert!(load("{ release: a, driver: sql }").contains("unknown Helm driver `sql`"));
    assert!(load("{ release: a, file: x.json, context: prod }").contains("`file` and `kubeconfig`/`context` both given"));
    assert!(load("{ release: a, hooks: [] }").contains("`hooks` must be a non-empty list"));
    assert!(load("{ release: a, relase: b }").contains("did you mean `release`?"));
}
