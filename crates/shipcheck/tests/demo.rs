//! `shipcheck demo`: every scenario gives the verdict DESIGN.md §11 asks for.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use support::shipcheck;

fn run_demo(scenario: &str) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    run_demo_in(scenario, dir.path())
}

/// [`run_demo`] writing its report files into `dir/report`.
fn run_demo_in(scenario: &str, dir: &std::path::Path) -> (Option<i32>, Value, String) {
    let out = dir.join("report");
    let run = shipcheck(
        &[
            "demo",
            "--scenario",
            scenario,
            "--output",
            out.to_str().unwrap(),
            "--quiet",
        ],
        &[],
        dir,
    );
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    for f in ["report.md", "report.json", "junit.xml"] {
        assert!(
            out.join(f).is_file(),
            "{scenario}: {f} not written\n{stdout}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let report =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    (run.status.code(), report, md)
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn healthy_is_ready() {
    let (code, report, md) = run_demo("healthy");
    // Issue 9.15: the plan was written to a temporary directory that is gone after the run;
    // the report names the bundled plan instead of citing that path.
    assert_eq!(
        report["run"]["plan"]["path"], "bundled demo plan (shipcheck demo)",
        "{}",
        report["run"]
    );
    assert!(!md.contains("demo-plan.yaml"), "{md}");
    assert_eq!(
        report["verdict"]["status"], "ready",
        "{}",
        report["verdict"]
    );
    assert_eq!(code, Some(0));
    assert_eq!(report["coverage"]["ran"], report["coverage"]["planned"]);
    // The bundled deployment files were linted in the same run: their deliberate issues are
    // warnings (and an info), below the plan's fail_on, and each names the lint check.
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() >= 3, "{findings:?}");
    assert!(
        findings
            .iter()
            .all(|f| f["severity"] != "error" && f["check_id"] == "deployment-files")
    );
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "k8s/ingress-without-tls"
                && f["path"] == "deploy/k8s/backend.yaml")
    );
    assert_eq!(status(&report, "deployment-files"), "passed");
    // Every finding's rule travels with the report (SARIF help from `report run.json`).
    let rules: Vec<&str> = report["rules"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        findings
            .iter()
            .all(|f| rules.contains(&f["rule"].as_str().unwrap_or_default())),
        "{rules:?}"
    );
    // The admin password is a declared secret: it reached the server but no output.
    assert!(report.to_string().contains("[REDACTED]"));
    // Issue 10: the bundled plan measures the demo's rolling restart (a 200 ms listener gap).
    let drill = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "rolling-restart")
        .unwrap();
    assert_eq!(drill["status"], "passed", "{drill}");
    let m = |name: &str| {
        drill["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {drill}"))["value"]
            .as_f64()
            .unwrap()
    };
    assert!((150.0..1000.0).contains(&m("downtime")), "{drill}");
    // The command returns before the restart: v1 may answer a probe or two after it.
    assert!(m("version_share[v2]") >= 0.9, "{drill}");
    // Its post-condition ran after it (`needs`), settle included, and saw v2 ready.
    assert_eq!(status(&report, "after-restart"), "passed");
    let ended = |id: &str| {
        let c = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        c["started_ms"].as_f64().unwrap_or(0.0) + c["duration_ms"].as_f64().unwrap_or(0.0)
    };
    let after = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "after-restart")
        .unwrap();
    assert!(
        after["started_ms"].as_f64().unwrap() >= ended("rolling-restart"),
        "{after}"
    );
}

#[test]
fn schema_drift_is_not_ready_and_names_the_missing_column() {
    let (code, report, md) = run_demo("schema-drift");
    assert_eq!(code, Some(1));
    assert_eq!(report["verdict"]["status"], "not-ready");
    assert_eq!(status(&report, "schema"), "failed");
    assert!(
        md.contains("is_active"),
        "report.md must name the missing column"
    );
    assert_eq!(status(&report, "login"), "failed");
    assert_eq!(status(&report, "vehicles"), "not-run");
}

#[test]
fn login_500_is_not_ready() {
    let (code, report, _) = run_demo("login-500");
    assert_eq!(code, Some(1));
    assert_eq!(report["verdict"]["status"], "not-ready");
    assert_eq!(status(&report, "login"), "failed");
    assert_eq!(status(&report, "schema"), "passed");
    assert_eq!(status(&report, "seed-data"), "passed");
}

#[test]
fn no_seed_data_is_not_ready() {
    let (code, report, _) = run_demo("no-seed-data");
    assert_eq!(code, Some(1));
    assert_eq!(report["verdict"]["status"], "not-ready");
    assert_eq!(status(&report, "login"), "failed");
    assert_eq!(status(&report, "seed-data"), "failed");
    assert_eq!(status(&report, "schema"), "passed");
    let seed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "seed-data")
        .unwrap()
        .to_string();
    assert!(
        seed.contains("rows of users where username = 'admin'"),
        "the report names the empty table: {seed}"
    );
}

#[test]
fn slow_is_ready_with_caveats() {
    let (code, report, md) = run_demo("slow");
    assert_eq!(code, Some(0));
    assert_eq!(
        report["verdict"]["status"], "ready-with-caveats",
        "{}",
        report["verdict"]
    );
    assert_eq!(status(&report, "latency-liveness"), "failed");
    assert!(md.contains("latency-liveness"));
}

#[test]
fn flaky_is_ready_because_retries_absorb_the_503s() {
    let (code, report, md) = run_demo("flaky");
    assert_eq!(
        report["verdict"]["status"], "ready",
        "{}",
        report["verdict"]
    );
    assert_eq!(code, Some(0));
    let retried = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["attempts"].as_array().is_some_and(|a| a.len() > 1))
        .count();
    assert!(retried > 0, "the flaky service must have forced retries");
    // Issue 9.8: the checks that needed retries are named, with their attempts, in the
    // summary of report.json and report.md; the verdict above is unchanged.
    let flaky = report["summary"]["flaky"]
        .as_array()
        .expect("summary.flaky");
    assert_eq!(flaky.len(), retried, "{flaky:?}");
    for f in flaky {
        let id = f["id"].as_str().unwrap();
        assert!(f["attempts"].as_u64().unwrap() > 1, "{f}");
        assert!(
            md.contains(&format!("`{id}` passed only on attempt")),
            "report.md names {id}"
        );
    }
    assert!(md.contains("passed only after retries"), "{md}");
}

/// Issue 9.15: `demo --serve --port N` serves HTTP on N (and HTTPS on N + 1).
#[test]
fn serve_on_a_chosen_port() {
    use std::io::{BufRead as _, BufReader, Read as _};
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    // Another test may take N or N + 1 between choosing and binding: a few tries.
    for _ in 0..5 {
        let port = shipcheck_test_support::free_port();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
            .args(["demo", "--serve", "--port", &port.to_string()])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let http = lines
            .take(4)
            .map_while(Result::ok)
            .find(|l| l.trim_start().starts_with("http:"))
            .unwrap_or_default();
        let answer = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        child.kill().unwrap();
        let _ = child.wait();
        if http.is_empty() {
            let mut stderr = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            assert!(
                stderr.contains("cannot bind"),
                "only a port taken meanwhile may stop it: {stderr}"
            );
            failures.push(stderr);
            continue;
        }
        assert!(
            http.contains(&format!("http://127.0.0.1:{port}")),
            "serves on the chosen port: {http:?}"
        );
        assert!(answer, "something listens on {port}");
        return;
    }
    panic!("no free pair of ports in 5 tries: {failures:?}");
}

/// Whether a Chromium the `browser` kind would use is installed (else the test is skipped,
/// or fails under `CI=true`).
fn chromium() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::var_os("SHIPCHECK_CHROMIUM").is_some()
        || std::env::split_paths(&path).any(|d| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome-stable",
                "google-chrome",
            ]
            .iter()
            .any(|n| d.join(n).is_file())
        });
    if !found {
        shipcheck_test_support::skip_or_fail("chromium");
    }
    found
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn the_frontend_signs_in_in_a_real_browser_with_a_screenshot_beside_the_report() {
    if !chromium() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, report, md) = run_demo_in("healthy", dir.path());
    let c = check(&report, "frontend-login");
    assert_eq!(c["status"], "passed", "{c}");
    let shot = &c["attachments"][0];
    assert_eq!(shot["media_type"], "image/png");
    assert!(
        shot.get("data_base64").is_none(),
        "report.json carries no image bytes"
    );
    let path = dir
        .path()
        .join("report")
        .join(shot["path"].as_str().unwrap());
    let png = std::fs::read(&path).unwrap();
    assert_eq!(png_size(&png), (1280, 800));
    assert_eq!(shot["bytes"], png.len() as u64);
    assert!(
        md.contains(&format!("]({})", shot["path"].as_str().unwrap())),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("report/report.html")).unwrap();
    assert!(html.contains("<img class=\"shot\" src=\"data:image/png;base64,"));
}

#[test]
fn broken_asset_fails_the_browser_check_naming_the_request() {
    if !chromium() {
        return;
    }
    let (code, report, _) = run_demo("broken-asset");
    // The browser check is not critical (see the bundled plan): a caveat, exit 0.
    assert_eq!(
        report["verdict"]["status"], "ready-with-caveats",
        "{}",
        report["verdict"]
    );
    assert_eq!(code, Some(0));
    let c = check(&report, "frontend-login");
    assert_eq!(c["status"], "failed", "{c}");
    let failed = c["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["subject"] == "failed requests")
        .unwrap();
    assert_eq!(failed["passed"], false);
    let actual = failed["actual"].as_str().unwrap();
    assert!(actual.contains("/static/app.css → 404"), "{actual}");
    // Only the browser notices: the HTTP checks of the page and its script pass.
    assert_eq!(status(&report, "frontend"), "passed");
}
