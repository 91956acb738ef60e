//! `shipcheck verify` against a real nginx on loopback: every status, captures,
//! redaction across every output, JUnit loaded by a standard consumer.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;

use serde_json::Value;
use shipcheck_test_support::free_port;
use support::{SilentServer, nginx, shipcheck};

const EVERY_STATUS: &str = r#"
name: nginx integration
environment: { server: nginx, purpose: every status }
vars: { base: "${NGINX_URL}", hang: "${HANG_URL}", closed: "${CLOSED_URL}" }
defaults: { timeout: 2s }
checks:
  - id: health
    http: { get: "{{ base }}/health" }
    expect: { status: 200, json: { "$.status": ok, "$.checks.database": ok } }
  - id: items
    http: { get: "{{ base }}/items" }
    expect:
      status: 2xx
      headers: { content-type: { regex: "^application/json" } }
      json: { "$": { length: 2 }, "$[*].id": { count: 2 }, "$[0].name": a }
  - id: cors
    http:
      method: OPTIONS
      url: "{{ base }}/api/things"
      headers: { Origin: "http://localhost:3000", Access-Control-Request-Method: GET }
    expect:
      status: 204
      headers: { access-control-allow-origin: "http://localhost:3000", access-control-allow-methods: { regex: GET } }
  - id: wrong-status
    http: { get: "{{ base }}/broken" }
    expect: { status: 200 }
  - id: wrong-json
    critical: false
    http: { get: "{{ base }}/health" }
    expect: { json: { "$.status": degraded } }
  - id: latency
    critical: false
    http: { get: "{{ base }}/slow.json" }
    expect: { status: 200, duration: { under: 200ms } }
  - id: refused
    http: { get: "{{ closed }}/health" }
    expect: { status: 200 }
  - id: hangs
    timeout: 1s
    http: { get: "{{ hang }}/" }
    expect: { status: 200 }
  - id: after-broken
    needs: [wrong-status]
    http: { get: "{{ base }}/health" }
    expect: { status: 200 }
  - id: login
    http: { post: "{{ base }}/login", json: { username: admin } }
    expect: { status: 200 }
    capture: { token: "$.access_token" }
  - id: protected
    needs: [login]
    http: { get: "{{ base }}/protected", headers: { Authorization: "Bearer {{ token }}" } }
    expect: { status: 200, json: { "$.user": admin } }
  - id: not-here
    skip: no such component in this environment
    http: { get: "{{ base }}/health" }
"#;

fn write_plan(dir: &Path, text: &str) -> String {
    let p = dir.join("plan.yaml");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn every_status_against_nginx() {
    let Some(nginx) = nginx::start() else { return };
    let silent = SilentServer::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), EVERY_STATUS);
    let out = dir.path().join("out");
    let hang = format!("http://{}", silent.addr);
    let closed = format!("http://127.0.0.1:{}", free_port());
    let started = std::time::Instant::now();
    let run = shipcheck(
        &["verify", &plan, "--output", out.to_str().unwrap()],
        &[
            ("NGINX_URL", &nginx.url()),
            ("HANG_URL", &hang),
            ("CLOSED_URL", &closed),
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "not ready → exit 1\n{stdout}\n{stderr}"
    );
    // The hanging check is bounded by its 1 s timeout, and independent checks run concurrently.
    assert!(
        started.elapsed().as_secs_f64() < 6.0,
        "took {:?}",
        started.elapsed()
    );

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    for key in [
        "run", "verdict", "coverage", "summary", "checks", "findings",
    ] {
        assert!(report.get(key).is_some(), "report.json lacks {key}");
    }
    let status = |id: &str| check(&report, id)["status"].as_str().unwrap().to_owned();
    for id in ["health", "items", "cors", "login", "protected"] {
        assert_eq!(status(id), "passed", "{id}: {}", check(&report, id));
    }
    // Every HTTP phase is recorded; phases that do not apply are null (DESIGN.md §11).
    let t = &check(&report, "health")["timings"];
    assert!(
        t["dns"].is_null() && t["tls"].is_null(),
        "IP literal over http: {t}"
    );
    assert!(
        t["connect"].as_f64().is_some() && t["first_byte"].as_f64().is_some(),
        "{t}"
    );
    assert!(t["total"].as_f64().unwrap() > 0.0);
    assert!(
        check(&report, "refused")["timings"].is_null(),
        "no exchange, no timings"
    );
    assert_eq!(status("wrong-status"), "failed");
    let a = &check(&report, "wrong-status")["assertions"][0];
    assert_eq!(
        (a["expected"].as_str(), a["actual"].as_str()),
        (Some("200"), Some("500"))
    );
    assert_eq!(status("wrong-json"), "failed");
    // [0] is the implied `status: 2xx` (issue 9.1), which holds.
    assert_eq!(
        check(&report, "wrong-json")["assertions"][0]["passed"],
        true
    );
    let a = &check(&report, "wrong-json")["assertions"][1];
    assert_eq!(
        (a["expected"].as_str(), a["actual"].as_str()),
        (Some("degraded"), Some("ok"))
    );
    assert_eq!(status("latency"), "failed");
    let total = check(&report, "latency")["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "total")
        .unwrap()
        .clone();
    assert!(total["value"].as_f64().unwrap() >= 200.0, "{total}");
    assert_eq!(total["met"], Value::Bool(false));
    assert_eq!(status("refused"), "error");
    assert_eq!(check(&report, "refused")["error"]["class"], "connect");
    assert_eq!(status("hangs"), "error");
    assert_eq!(check(&report, "hangs")["error"]["class"], "timeout");
    assert!(check(&report, "hangs")["duration_ms"].as_f64().unwrap() < 2500.0);
    assert_eq!(status("after-broken"), "not-run");
    assert!(
        check(&report, "after-broken")["reason"]
            .as_str()
            .unwrap()
            .contains("wrong-status")
    );
    assert_eq!(status("not-here"), "skipped");
    // The captured token fed the protected check's header (nginx only answers 200 to it).
    let evidence = check(&report, "protected")["evidence"].to_string();
    assert!(
        evidence.contains("authorization: [REDACTED]")
            || evidence.contains("Authorization: [REDACTED]"),
        "{evidence}"
    );

    assert_eq!(report["verdict"]["status"], "not-ready");
    assert_eq!(
        report["coverage"]["text"],
        "8 of 12 planned checks ran (passed or failed); 2 errored, 1 skipped (not-here: no such component in this environment), 1 not run"
    );
    assert!(report["run"]["environment"]["server"] == "nginx");

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for needle in ["not verified", "wrong-status", "after-broken", "not ready"] {
        assert!(
            md.to_lowercase().contains(&needle.to_lowercase()),
            "report.md lacks {needle}"
        );
    }
    // Re-rendering the saved run gives the same files.
    for (format, file) in [("junit", "junit.xml"), ("md", "report.md")] {
        let again = shipcheck(
            &[
                "report",
                out.join("report.json").to_str().unwrap(),
                "--format",
                format,
            ],
            &[],
            dir.path(),
        );
        assert_eq!(again.status.code(), Some(0));
        assert_eq!(
            String::from_utf8_lossy(&again.stdout),
            std::fs::read_to_string(out.join(file)).unwrap()
        );
    }
    junit_counts(&out.join("junit.xml"), 12, 3, 2);
}

/// Loads junit.xml with junitparser (a standard consumer) and compares counts.
fn junit_counts(path: &Path, tests: usize, failures: usize, errors: usize) {
    let script = format!(
        "import junitparser,sys\nx=junitparser.JUnitXml.fromfile({:?})\n\
         suites=[x] if isinstance(x, junitparser.TestSuite) else list(x)\n\
         t=sum(s.tests for s in suites); f=sum(s.failures for s in suites); e=sum(s.errors for s in suites)\n\
         print(t,f,e)",
        path.display().to_string()
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        _ => {
            shipcheck_test_support::skip_or_fail("python3 with junitparser");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let got: Vec<usize> = text
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    // not-run and skipped checks count as tests but neither failures nor errors.
    assert_eq!(
        got,
        vec![tests, failures, errors],
        "junitparser counts (tests failures errors)"
    );
}

const SECRET: &str = "Sup3r\"S3cret/Value+1";

const SECRET_PLAN: &str = r#"
name: redaction
vars: { base: "${NGINX_URL}" }
secrets: [SECRET_TOKEN]
checks:
  - id: echo-declared
    http:
      get: "{{ base }}/echo"
      headers: { X-Secret: "${SECRET_TOKEN}", X-B64: "${B64_OF_SECRET}", Authorization: "Bearer plain-bearer-8c7d6e5f" }
      query: { q: "${SECRET_TOKEN}" }
    expect: { status: 200, json: { "$.header": "not what the server echoes" } }
  - id: login
    http: { post: "{{ base }}/login", json: { username: admin } }
    expect: { status: 200 }
    capture: { token: { jsonpath: "$.access_token", secret: true } }
  - id: use-token
    needs: [login]
    http: { get: "{{ base }}/echo", headers: { Authorization: "Bearer {{ token }}" } }
    expect: { status: 500 }
"#;

#[test]
fn secrets_never_leak_into_any_output() {
    use base64::Engine as _;
    let Some(nginx) = nginx::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(dir.path(), SECRET_PLAN);
    let out = dir.path().join("out");
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
    let run = shipcheck(
        &[
            "verify",
            &plan,
            "--output",
            out.to_str().unwrap(),
            "--format",
            "md",
        ],
        &[
            ("NGINX_URL", &nginx.url()),
            ("SECRET_TOKEN", SECRET),
            ("B64_OF_SECRET", &b64),
        ],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(1));
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    let report: Value = serde_json::from_str(&json).unwrap();
    // The echo check failed, so its evidence (the server's echo) is in every output.
    assert_eq!(check(&report, "echo-declared")["status"], "failed");
    assert!(json.contains("[REDACTED]"));
    let forms = [
        SECRET.to_owned(),
        percent_encoding::utf8_percent_encode(SECRET, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        serde_json::to_string(SECRET)
            .unwrap()
            .trim_matches('"')
            .to_owned(),
        b64.clone(),
        "plain-bearer-8c7d6e5f".to_owned(),
        "tok-5f1e2d3c4b5a".to_owned(),
    ];
    let mut outputs = vec![
        (
            "stdout".to_owned(),
            String::from_utf8_lossy(&run.stdout).into_owned(),
        ),
        (
            "stderr".to_owned(),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        ),
    ];
    for f in ["report.md", "report.json", "junit.xml"] {
        outputs.push((f.to_owned(), std::fs::read_to_string(out.join(f)).unwrap()));
    }
    for fmt in ["terminal", "json", "junit"] {
        let r = shipcheck(
            &[
                "report",
                out.join("report.json").to_str().unwrap(),
                "--format",
                fmt,
            ],
            &[],
            dir.path(),
        );
        outputs.push((
            format!("report --format {fmt}"),
            String::from_utf8_lossy(&r.stdout).into_owned(),
        ));
    }
    for (name, text) in &outputs {
        for form in &forms {
            assert!(!text.contains(form.as_str()), "{name} leaks {form:?}");
        }
    }
}

#[test]
fn ctrl_c_stops_cleanly_and_still_writes_the_report_marked_interrupted() {
    let silent = SilentServer::start();
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(
        dir.path(),
        "name: interrupt\nvars: { hang: \"${HANG_URL}\" }\nchecks:\n  - id: hangs\n    timeout: 30s\n    http: { get: \"{{ hang }}/\" }\n  - id: after\n    needs: [hangs]\n    http: { get: \"{{ hang }}/\" }\n",
    );
    let out = dir.path().join("out");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args([
            "verify",
            &plan,
            "--output",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .env("HANG_URL", format!("http://{}", silent.addr))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the check is in flight (the server has accepted a connection) before interrupting.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed().as_secs() < 10,
        "Ctrl-C must stop the run promptly"
    );
    assert_eq!(output.status.code(), Some(1), "an interrupted run exits 1");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["run"]["interrupted"], true);
    assert_eq!(report["verdict"]["status"], "not-ready");
    assert_eq!(check(&report, "hangs")["status"], "not-run");
    assert_eq!(check(&report, "after")["status"], "not-run");
    assert!(out.join("report.md").is_file() && out.join("junit.xml").is_file());
}

#[test]
fn plan_errors_and_missing_files_exit_2_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let plan = write_plan(
        dir.path(),
        "name: broken\nchecks:\n  - id: a\n    http: { get: \"http://127.0.0.1:1/\" }\n    expcet: { status: 200 }\n",
    );
    let run = shipcheck(&["verify", &plan], &[], dir.path());
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("plan.yaml:5:5"), "{stderr}");
    assert!(
        stderr.contains("expect"),
        "suggests the right key: {stderr}"
    );
    assert!(run.stdout.is_empty(), "nothing ran");
    let missing = shipcheck(&["verify", "no-such-plan.yaml"], &[], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    let bad_report = shipcheck(&["report", "no-such-run.json"], &[], dir.path());
    assert_eq!(bad_report.status.code(), Some(2));
}
