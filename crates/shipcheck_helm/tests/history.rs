//! Decoding the generated fixtures (`make_fixtures.py`: Helm's field names and encoding)
//! and hostile inputs: a decompression bomb, corrupt base64, gzip and JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::Write;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use shipcheck_helm::{
    DecodeError, Driver, History, Limits, ProblemKind, decode_object, decode_release_bytes,
    values_hash,
};

fn items(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["items"].as_array().unwrap().clone()
}

fn history(file: &str, name: &str, driver: Driver) -> History {
    History::from_objects(&items(file), name, driver, &Limits::default())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A Secret as the API returns it, holding `payload` as Helm's bytes (before Helm's base64).
fn secret_with(payload: &[u8]) -> Value {
    let helm = STANDARD.encode(payload);
    json!({
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": { "name": "sh.helm.release.v1.bomb.v1",
                      "labels": { "owner": "helm", "name": "bomb", "version": "1" } },
        "data": { "release": STANDARD.encode(helm) },
    })
}

#[test]
fn helm3_gzip_history_with_a_rollback() {
    let h = history("shop.secrets.json", "shop", Driver::Secret);
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    let revs: Vec<u64> = h.releases.iter().map(|r| r.revision).collect();
    assert_eq!(revs, [1, 2, 3], "listed out of order, sorted by revision");
    let cur = h.current().unwrap();
    assert_eq!(cur.info.status, "deployed");
    assert_eq!(cur.info.description, "Rollback to 1");
    assert_eq!(cur.namespace, "shop");
    assert_eq!(
        (cur.chart.name.as_str(), cur.chart.version.as_str()),
        ("shop", "0.7.0")
    );
    assert_eq!(cur.chart.app_version, "1.4.2");
    let statuses: Vec<&str> = h.earlier().iter().map(|r| r.info.status.as_str()).collect();
    assert_eq!(statuses, ["superseded", "superseded"]);
    // Helm 3 writes unset times as Go's zero time: read as not recorded.
    assert!(cur.info.deleted.is_none());
    assert_eq!(
        cur.info.first_deployed.as_ref().unwrap().text,
        "2026-11-30T09:00:03.412895+01:00"
    );
    // The rollback restored revision 1's values: same hash; revision 2's differ.
    assert_eq!(cur.config.hash(), h.revision(1).unwrap().config.hash());
    assert_ne!(cur.config.hash(), h.revision(2).unwrap().config.hash());
    assert_eq!(
        cur.config.keys(),
        ["db.host", "db.password", "image.tag", "replicas"]
    );
    // The pre-upgrade migration of revision 2: succeeded in 42.5 s.
    let hook = &h.revision(2).unwrap().hooks[0];
    assert_eq!(
        (hook.name.as_str(), hook.kind.as_str()),
        ("shop-migrate", "Job")
    );
    assert_eq!(hook.events, ["pre-install", "pre-upgrade"]);
    assert_eq!(hook.last_run.phase, "Succeeded");
    assert_eq!(hook.duration_ms(), Some(42_500.0));
    assert_eq!(cur.apply_method, None);
}

#[test]
fn helm4_fields_and_a_failed_hook() {
    let h = history("worker.secrets.json", "worker", Driver::Secret);
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    let cur = h.current().unwrap();
    assert_eq!(cur.revision, 2);
    assert_eq!(cur.info.status, "failed");
    assert!(cur.info.description.contains("pre-upgrade hooks failed"));
    assert_eq!(cur.apply_method.as_deref(), Some("ssa"));
    let hook = &cur.hooks[0];
    assert_eq!(hook.last_run.phase, "Failed");
    assert_eq!(hook.duration_ms(), Some(87_250.0));
    // Revision 1's hook never ran: Helm 4 omits its times, phase is empty.
    let never = &h.revision(1).unwrap().hooks[0];
    assert!(!never.ran());
    assert!(never.last_run.started_at.is_none() && never.duration_ms().is_none());
    assert_eq!(h.revision(1).unwrap().info.status, "deployed");
}

#[test]
fn helm4_rollback_revision_is_read() {
    let rel = json!({ "name": "a", "version": 4, "info": { "status": "deployed",
        "description": "Rollback to 2", "rollback_revision": 2, "last_deployed": "" },
        "chart": { "metadata": { "name": "a", "version": "1.0.0", "apiVersion": "v3" } },
        "hooks": null, "config": null, "apply_method": "csa" });
    let payload = STANDARD.encode(gzip(rel.to_string().as_bytes()));
    let r = decode_release_bytes(payload.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(r.info.rollback_revision, Some(2));
    assert!(
        r.info.last_deployed.is_none(),
        "Helm 4 reads \"\" as an unset time"
    );
    assert_eq!(r.chart.api_version, "v3");
    assert!(r.hooks.is_empty() && r.config.is_empty());
    assert_eq!(r.config.hash(), values_hash(&json!({})));
}

#[test]
fn a_legacy_release_without_gzip() {
    let h = history("legacy.secrets.json", "legacy", Driver::Secret);
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    let cur = h.current().unwrap();
    assert_eq!((cur.revision, cur.info.status.as_str()), (1, "deployed"));
    assert_eq!(cur.chart.name, "legacy");
}

#[test]
fn the_configmap_driver() {
    let h = history("cache.configmaps.json", "cache", Driver::ConfigMap);
    assert!(h.problems.is_empty(), "{:?}", h.problems);
    let cur = h.current().unwrap();
    assert_eq!((cur.revision, cur.chart.version.as_str()), (2, "7.2.1"));
    assert_eq!(cur.chart.app_version, "7.2.5");
    // Read with the wrong driver, the ConfigMaps are not Secrets: nothing is taken.
    let wrong = history("cache.configmaps.json", "cache", Driver::Secret);
    assert!(wrong.releases.is_empty() && wrong.objects == 0);
}

#[test]
fn other_releases_objects_are_not_read() {
    let mut all = items("shop.secrets.json");
    all.extend(items("worker.secrets.json"));
    let h = History::from_objects(&all, "worker", Driver::Secret, &Limits::default());
    assert_eq!(h.objects, 2);
    assert!(h.releases.iter().all(|r| r.name == "worker"));
}

#[test]
fn a_decompression_bomb_is_refused_fast() {
    // 50 MB of JSON whitespace compresses to about 50 KB.
    let bomb = gzip(&vec![b' '; 50_000_000]);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let obj = secret_with(&bomb);
    let start = Instant::now();
    let err = decode_object(&obj, Driver::Secret, &Limits::default()).unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(err, DecodeError::TooLarge { limit } if limit == 16 << 20),
        "{err:?}"
    );
    let msg = err.with_causes();
    assert!(
        msg.contains("more than 16777216 bytes") && msg.contains("bomb"),
        "{msg}"
    );
    eprintln!("50 MB bomb ({} bytes gzip) refused in {took:?}", bomb.len());
    assert!(took.as_secs() < 5, "took {took:?}");
    // Through a history: a problem naming the object, not a panic.
    let h = History::from_objects(&[obj], "bomb", Driver::Secret, &Limits::default());
    assert!(h.releases.is_empty());
    assert!(
        h.problems[0]
            .to_string()
            .starts_with("sh.helm.release.v1.bomb.v1: the release decompresses")
    );
    // A smaller cap is honoured.
    let small = Limits {
        max_decompressed: 1024,
        ..Limits::default()
    };
    let rel = json!({ "name": "bomb", "version": 1, "config": { "pad": "x".repeat(2000) } });
    let err = decode_object(
        &secret_with(&gzip(rel.to_string().as_bytes())),
        Driver::Secret,
        &small,
    );
    assert!(
        matches!(err, Err(DecodeError::TooLarge { limit: 1024 })),
        "{err:?}"
    );
}

#[test]
fn corrupt_layers_are_clear_errors() {
    let limits = Limits::default();
    let mut obj = secret_with(b"{}");
    obj["data"]["release"] = json!("%%% not base64");
    let e = decode_object(&obj, Driver::Secret, &limits).unwrap_err();
    assert!(
        e.with_causes()
            .starts_with("the Secret's data is not valid base64: "),
        "{}",
        e.with_causes()
    );

    obj["data"]["release"] = json!(STANDARD.encode("!!not helm base64!!"));
    let e = decode_object(&obj, Driver::Secret, &limits).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Helm's release encoding is not valid base64"),
        "{e}"
    );

    // gzip's magic, then garbage; and a truncated stream.
    let mut bad = vec![0x1f, 0x8b, 0x08];
    bad.extend_from_slice(&[0xff; 40]);
    let e = decode_object(&secret_with(&bad), Driver::Secret, &limits).unwrap_err();
    assert!(matches!(e, DecodeError::Gzip { .. }), "{e:?}");
    assert!(
        e.with_causes()
            .starts_with("the release's gzip stream is corrupt: "),
        "{}",
        e.with_causes()
    );
    let full = gzip(br#"{"name":"x","version":1}"#);
    let e = decode_object(
        &secret_with(&full[..full.len() - 10]),
        Driver::Secret,
        &limits,
    );
    assert!(matches!(e, Err(DecodeError::Gzip { .. })), "{e:?}");

    // Valid gzip of something that is not a release.
    for not_json in [
        &b"<html>"[..],
        b"[1,2]",
        br#"{"version":"three"}"#,
        br#"{"info":{"last_deployed":"yesterday"}}"#,
    ] {
        let e = decode_object(&secret_with(&gzip(not_json)), Driver::Secret, &limits).unwrap_err();
        assert!(matches!(e, DecodeError::Json { .. }), "{e:?}");
        assert!(
            e.with_causes()
                .starts_with("the decoded release is not Helm release JSON: ")
        );
    }

    // No data, or not Helm's Secret type.
    let e = decode_object(
        &json!({ "type": "helm.sh/release.v1", "data": {} }),
        Driver::Secret,
        &limits,
    );
    assert!(matches!(e, Err(DecodeError::NoRelease)), "{e:?}");
    obj["type"] = json!("Opaque");
    let e = decode_object(&obj, Driver::Secret, &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Secret of type `Opaque`, not `helm.sh/release.v1`"
    );
}

#[test]
fn inconsistent_objects_are_problems_not_revisions() {
    let mut list = items("shop.secrets.json");
    // A copy of revision 3 labelled as revision 4, and a duplicate of revision 1.
    let mut relabelled = list[0].clone();
    relabelled["metadata"]["name"] = json!("sh.helm.release.v1.shop.v4");
    relabelled["metadata"]["labels"]["version"] = json!("4");
    list.push(relabelled);
    list.push(list[1].clone());
    let h = History::from_objects(&list, "shop", Driver::Secret, &Limits::default());
    assert_eq!(h.releases.len(), 3);
    let problems: Vec<String> = h.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "sh.helm.release.v1.shop.v4: labelled version 4 but holds revision 3",
            "sh.helm.release.v1.shop.v1: a second object for revision 1",
        ]
    );
    assert!(
        h.problems
            .iter()
            .all(|p| matches!(p.error, ProblemKind::Inconsistent(_)))
    );
}

#[test]
fn values_hash_is_canonical_and_debug_hides_values() {
    let a = json!({ "b": 1, "a": { "y": [1, "two"], "x": null } });
    let b: Value = serde_json::from_str(r#"{"a":{"x":null,"y":[1,"two"]},"b":1}"#).unwrap();
    assert_eq!(values_hash(&a), values_hash(&b));
    assert_eq!(
        shipcheck_helm::canonical_json(&a),
        r#"{"a":{"x":null,"y":[1,"two"]},"b":1}"#
    );
    assert_eq!(values_hash(&Value::Null), values_hash(&json!({})));
    // sha256 of `{}`.
    assert_eq!(
        values_hash(&json!({})),
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
    let h = history("shop.secrets.json", "shop", Driver::Secret);
    let debug = format!("{:?}", h);
    assert!(
        !debug.contains("hunter2"),
        "Debug of a history shows no value"
    );
    assert!(debug.contains("Values(4 keys, redacted)"));
}

#[test]
fn the_hash_equals_jq_canonical_form_when_jq_is_present() {
    let values = json!({ "replicas": 3, "image": { "tag": "1.4.2" }, "db": { "password": "p" } });
    let Ok(mut child) = std::process::Command::new("jq")
        .args(["-cjS", "."])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        shipcheck_test_support::skip_or_fail("jq");
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(values.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        shipcheck_helm::canonical_json(&values)
    );
}
