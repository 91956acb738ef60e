//! The `redis` probe against private redis-server instances started by the test.
#![allow(clippy::expect_used, clippy::unwrap_used)] // test set-up panics

mod db_support;

use std::time::{Duration, Instant};

use db_support::{check, run};
use shipcheck_probe::kinds::redis::RedisFacts;
use shipcheck_report::FailureClass;
use shipcheck_test_support::redis::{Options, Redis};

const PW: &str = "r3dis-Pa55word";

#[tokio::test]
async fn ping_info_keys_and_queue_depth() {
    let Some(r) = Redis::start(Options {
        password: Some(PW),
        ..Options::default()
    }) else {
        return;
    };
    for i in 0..7 {
        r.cli(Some(PW), &["RPUSH", "celery", &format!("job{i}")]);
    }
    r.cli(Some(PW), &["SET", "session:1", "x", "EX", "300"]);
    r.cli(Some(PW), &["ZADD", "board", "1", "a", "2", "b"]);
    r.cli(Some(PW), &["XADD", "events", "*", "k", "v"]);
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        r#"  - id: cache
    redis: {{ url: "redis://:{PW}@127.0.0.1:{}/0" }}
    expect:
      ping: {{ under: 1s }}
      server_version: {{ regex: "^7\\." }}
      info: {{ role: master, connected_slaves: 0, maxmemory_policy: noeviction, used_memory: {{ under: 536870912 }} }}
      keys:
        celery: {{ type: list, length: {{ under: 5 }} }}
        session:1: {{ exists: true, ttl: {{ at_least: 60, at_most: 300 }} }}
        board: {{ type: zset, length: 2 }}
        events: {{ type: stream, length: {{ at_least: 1 }} }}
        absent: {{ exists: false }}
"#,
        r.port
    );
    let c = check(dir.path(), &yaml);
    let (observed, results) = run(&c, Duration::from_secs(5)).await.unwrap();
    let Some(facts) = observed.facts.as_any().downcast_ref::<RedisFacts>() else {
        panic!("not a redis observation")
    };
    assert!(facts.ping_ms > 0.0);
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    // The queue depth (7 jobs, threshold 5) is the only failure.
    let subjects: Vec<&str> = failed.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(subjects, vec!["key celery length"], "{results:#?}");
    assert_eq!(failed[0].actual, "7");
    assert!(observed.sent_secrets.iter().any(|s| s == PW));
    let text: String = observed.evidence.iter().map(|e| e.text.clone()).collect();
    assert!(!text.contains(PW));

    // Wrong password: auth, and the password is not in the message.
    let bad = yaml.replace(PW, "not-the-Pa55word");
    let err = run(&check(dir.path(), &bad), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.class, FailureClass::Auth, "{err}");
    assert!(!err.message.contains("not-the-Pa55word"));
    // No password at all: NOAUTH is an auth failure too.
    let none = yaml.replace(&format!(":{PW}@"), "");
    let err = run(&check(dir.path(), &none), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.class, FailureClass::Auth, "{err}");

    // ACL user.
    r.cli(
        Some(PW),
        &[
            "ACL",
            "SETUSER",
            "monitor",
            "on",
            ">m0nitor-pass",
            "~*",
            "+@read",
            "+@connection",
            "+info",
        ],
    );
    let acl = yaml.replace(&format!(":{PW}@"), "monitor:m0nitor-pass@");
    let (_, results) = run(&check(dir.path(), &acl), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        results.iter().filter(|r| !r.passed).count(),
        1,
        "{results:#?}"
    );

    // A stopped server: connect failure, quickly.
    let port = r.port;
    drop(r);
    let started = Instant::now();
    let err = run(&check(dir.path(), &yaml), Duration::from_secs(3))
        .await
        .unwrap_err();
    assert_eq!(err.class, FailureClass::Connect, "{err} (port {port})");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn rediss_with_generated_certificates() {
    let Some(r) = Redis::start(Options {
        password: Some(PW),
        tls: true,
    }) else {
        return;
    };
    let dir = r.dir().to_path_buf();
    let plan = |extra: &str| {
        format!(
            "  - id: tls-cache\n    redis: {{ url: \"rediss://:{PW}@localhost:{}\"{extra} }}\n    expect: {{ info: {{ role: master }} }}\n",
            r.port
        )
    };
    // Trusting the test CA: passes.
    let (observed, results) = run(
        &check(&dir, &plan(", ca_file: ca.pem")),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert!(results.iter().all(|r| r.passed), "{results:#?}");
    assert!(
        observed
            .facts
            .as_any()
            .downcast_ref::<RedisFacts>()
            .is_some()
    );
    // Without the CA the certificate does not verify: tls failure.
    let err = run(&check(&dir, &plan("")), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.class, FailureClass::Tls, "{err}");
    // `insecure: true` skips verification.
    let (_, results) = run(
        &check(&dir, &plan(", insecure: true")),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert!(results.iter().all(|r| r.passed));
    // Plain redis:// against the TLS port fails (the server hangs up or never answers).
    let plain = plan("").replace("rediss://", "redis://");
    assert!(
        run(&check(&dir, &plain), Duration::from_secs(2))
            .await
            .is_err()
    );
}
