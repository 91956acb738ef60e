//! The `prometheus` kind against a real Prometheus on loopback, scraping an nginx that
//! serves an exposition (job `web`) and a port where nothing listens (job `gone`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::time::{Duration, Instant};

use shipcheck_plan::kind::Observed;
use shipcheck_plan::{Check, load_str};
use shipcheck_report::AssertionResult;
use shipcheck_test_support::prometheus::Prometheus;
use shipcheck_test_support::{Listen, Nginx, free_port};

use crate::KINDS;
use crate::kinds::test_util::check;


async fn run(c: &Check) -> (Observed, Vec<AssertionResult>) {
    let o = crate::kinds::test_util::run(c).await.unwrap();
    let r = crate::kinds::test_util::results(c, &o);
    (o, r)
}

const EXPOSITION: &str = "# TYPE http_requests_total counter\n\
http_requests_total{status=\"200\"} 5\nhttp_requests_total{status=\"500\"} 0\n";

#[tokio::test(flavor = "multi_thread")]
async fn targets_and_queries_against_a_real_prometheus() {
    let Some(nginx) = Nginx::builder()
        .server(
            Listen::Http,
            format!("location = /metrics {{ default_type text/plain; return 200 '{EXPOSITION}'; }}"),
        )
        .start()
    else {
        return;
    };
    let web = nginx.url().trim_start_matches("http://").to_owned();
    let gone = format!("127.0.0.1:{}", free_port());
    let Some(prom) = Prometheus::start(&[("web", vec![web]), ("gone", vec![gone.clone()])])
    else {
        return;
    };
    let url = prom.url();

    // Both targets are scraped within a few seconds of the start.
    let only_web = check(&format!("    prometheus: {{ url: \"{url}\", targets: [web] }}\n"));
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, r) = run(&only_web).await;
        if r.iter().all(|a| a.passed) {
            break;
        }
        assert!(Instant::now() < until, "job web never came up: {r:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Every target: `gone` is down, named with its scrape error.
    let all = check(&format!("    prometheus: {{ url: \"{url}\", targets: all }}\n"));
    let until = Instant::now() + Duration::from_secs(30);
    let failed = loop {
        let (_, r) = run(&all).await;
        if r[0].actual.contains("is down") {
            break r;
        }
        assert!(Instant::now() < until, "gone never went down: {r:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(!failed[0].passed);
    assert!(failed[0].actual.contains(&format!("gone/{gone} is down")), "{failed:?}");
    assert!(failed[0].actual.contains("refused"), "{failed:?}");

    // A named job that has no target.
    let missing = check(&format!("    prometheus: {{ url: \"{url}\", targets: [web, worker] }}\n"));
    let (_, r) = run(&missing).await;
    assert!(r[0].actual.contains("job `worker` has no scrape target"), "{r:?}");

    // An instant query's value, passing and failing.
    let q = "http_requests_total{job=\"web\",status=\"200\"}";
    let good = check(&format!(
        "    prometheus: {{ url: \"{url}\", query: '{q}' }}\n    expect: {{ value: 5, series: 1 }}\n"
    ));
    let (o, r) = run(&good).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    assert!(o.evidence.iter().any(|e| e.label == "query" && e.text.contains("1 series")));
    let over = check(&format!(
        "    prometheus: {{ url: \"{url}\", query: '{q}' }}\n    expect: {{ value: {{ over: 10 }} }}\n"
    ));
    let (_, r) = run(&over).await;
    assert!(!r[0].passed && r[0].actual.contains('5'), "{r:?}");

    // No expectation on the result: at least one series is implied.
    let empty = check(&format!(
        "    prometheus: {{ url: \"{url}\", query: 'no_such_metric' }}\n"
    ));
    let (_, r) = run(&empty).await;
    assert_eq!(r[0].subject, "query series");
    assert!(!r[0].passed, "{r:?}");

    // Invalid PromQL: the API's own error.
    let bad = check(&format!("    prometheus: {{ url: \"{url}\", query: 'sum(' }}\n"));
    let (_, r) = run(&bad).await;
    assert!(!r[0].passed);
    assert!(r[0].actual.contains("bad_data"), "{r:?}");
}

#[test]
fn a_check_needs_targets_or_a_query() {
    let src = "name: t\nchecks:\n  - id: c\n    prometheus: { url: \"http://127.0.0.1:9\" }\n";
    let err = load_str(src, Path::new("plan.yaml"), &|_| None, KINDS).unwrap_err();
    assert!(err.to_string().contains("needs `targets` or `query`"), "{err}");
}
