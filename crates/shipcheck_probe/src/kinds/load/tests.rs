//! The `load` kind: its plan keys and their errors, the implied expectations, and a run
//! against a loopback server the test starts (measurements, series, saved and merged
//! results, the refusal of a non-loopback target).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use shipcheck_plan::kind::Observed;
use shipcheck_plan::{Check, load_str};
use shipcheck_report::FailureClass;

use crate::KINDS;
use crate::kinds::test_util::{results, run};

fn load(yaml: &str) -> Result<Check, String> {
    let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
    load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS)
        .map(|mut p| p.checks.remove(0))
        .map_err(|e| e.to_string())
}

fn check(yaml: &str) -> Check {
    load(yaml).unwrap_or_else(|e| panic!("plan does not load:\n{e}"))
}



/// A keep-alive HTTP/1.1 server answering `ok` (thread per connection, 20 s at most).
fn server() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            let Ok((mut s, _)) = l.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            std::thread::spawn(move || {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 2048];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/")
}

#[test]
fn bad_settings_are_plan_errors_at_their_line() {
    let cases = [
        ("    load: { url: \"http://127.0.0.1/\", rate: fast }\n", "`rate` must be a rate"),
        ("    load: { url: \"http://127.0.0.1/\", shard: \"4/4\" }\n", "invalid shard `4/4`"),
        ("    load: { url: \"http://127.0.0.1/\", rate: 10/s, stages: [] }\n", "`rate` and `stages` together"),
        ("    load: { url: \"http://127.0.0.1/\", connections: 0 }\n", "`connections` must be at least 1"),
        ("    load: { merge: [a.json], url: \"http://127.0.0.1/\" }\n", "merges saved results sends no load"),
        ("    load: { method: GET }\n", "the load check has no `url`"),
        ("    load: \"http://127.0.0.1/\"\n    expect: { error_rate: { under: 5 } }\n", "a percentage such as `0.1%`"),
        ("    load: \"http://127.0.0.1/\"\n    expect: { p95: { under: 5 } }\n", "a duration"),
        ("    load: \"http://127.0.0.1/\"\n    expect: { status: 200 }\n", "does not apply to load probes"),
    ];
    for (yaml, want) in cases {
        let e = load(yaml).expect_err(yaml);
        assert!(e.contains(want), "{yaml}: {e}");
        assert!(e.contains("plan.yaml:"), "{e}");
    }
}

#[test]
fn the_open_model_implies_the_rate_and_every_load_an_error_rate() {
    let subjects = |c: &Check| -> Vec<String> {
        c.expect.iter().map(|a| format!("{:?}", a.predicate)).collect()
    };
    let open = check("    load: { url: \"http://127.0.0.1/\", rate: 50/s, duration: 1s }\n");
    assert_eq!(open.expect.len(), 2, "{:?}", subjects(&open));
    let closed = check("    load: \"http://127.0.0.1/\"\n");
    assert_eq!(closed.expect.len(), 1);
    // Written expectations replace the implied ones of the same key.
    let written = check(
        "    load: { url: \"http://127.0.0.1/\", rate: 50/s }\n    expect: { rate_achieved: { at_least: 0.5 }, error_rate: { under: 0.1% }, p95: { under: 250ms } }\n",
    );
    assert_eq!(written.expect.len(), 3, "{:?}", subjects(&written));
}

#[tokio::test]
async fn a_run_measures_saves_and_merges() {
    let url = server();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("shard.json");
    let c = check(&format!(
        "    timeout: 10s\n    load: {{ url: \"{url}\", rate: 200/s, duration: 1s, connections: 4, save: \"{}\" }}\n    expect: {{ p99: {{ under: 1s }}, requests: {{ at_least: 150 }} }}\n",
        saved.display()
    ));
    let o = run(&c).await.unwrap();
    let r = results(&c, &o);
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    let names: Vec<&str> = o.measurements.iter().map(|m| m.name.as_str()).collect();
    for want in ["requests", "rps", "p50", "p90", "p95", "p99", "p99_9", "max", "error_rate", "rate_achieved"] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    let series = &o.series;
    assert_eq!(series[0].name, "requests per second");
    assert_eq!(series[0].points.iter().map(|p| p.value).sum::<f64>(), 200.0);
    assert!(o.evidence[0].text.contains("latency (from intended start)"), "{}", o.evidence[0].text);

    // The saved result is judged again by a merge check, with the same figures.
    let m = check(&format!("    load: {{ merge: [\"{}\"] }}\n    expect: {{ requests: 200 }}\n", saved.display()));
    let mo = run(&m).await.unwrap();
    assert!(results(&m, &mo).iter().all(|a| a.passed), "{:?}", results(&m, &mo));
    let requests = |o: &Observed| o.measurements.iter().find(|m| m.name == "requests").unwrap().value;
    assert_eq!(requests(&mo), requests(&o));
}

#[tokio::test]
async fn a_non_loopback_target_is_refused_before_anything_is_sent() {
    let c = check("    load: { url: \"http://192.0.2.7:9/\", duration: 1s }\n");
    let e = run(&c).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Connect);
    assert!(e.message.contains("refusing to send load to `192.0.2.7`"), "{e}");
}

#[tokio::test]
async fn a_load_longer_than_the_check_timeout_says_which_timeout_to_set() {
    let c = check("    timeout: 5s\n    load: { url: \"http://127.0.0.1:9/\", duration: 30s }\n");
    let e = run(&c).await.unwrap_err();
    assert_eq!(e.class, FailureClass::Timeout);
    assert!(e.message.contains("set `timeout:` on the check to at least 34s"), "{e}");
}
