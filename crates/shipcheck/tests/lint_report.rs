//! `shipcheck lint` produces the shared report model (issue 8 part 3): `lint --format json`
//! is a report that `shipcheck report` re-renders in every format, SARIF validates against
//! the 2.1.0 schema with rule help, and `--output DIR` writes the report files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use serde_json::Value;
use support::shipcheck;

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          securityContext: { privileged: true }\n          env: [{ name: DB_PASSWORD, value: \"hunter2-but-longer\" }]\n";
const DOCKERFILE: &str = "FROM python:3.12\nRUN pip install flask\nCMD python app.py\n";

/// A directory with a Kubernetes manifest and a Dockerfile that have findings.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("deploy")).unwrap();
    std::fs::write(dir.path().join("deploy/web.yaml"), DEPLOY).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The official SARIF 2.1.0 schema, with its stray-`]` `language` pattern fixed in memory.
fn sarif_validator() -> jsonschema::Validator {
    fn fix(v: &mut Value) {
        match v {
            Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
            }
            Value::Array(a) => a.iter_mut().for_each(fix),
            Value::Object(o) => o.values_mut().for_each(fix),
            _ => {}
        }
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas/sarif-schema-2.1.0.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    fix(&mut schema);
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn lint_json_is_the_report_and_report_re_renders_it_in_every_format() {
    let dir = project();
    let lint = |format: &str| shipcheck(&["lint", ".", "--format", format], &[], dir.path());
    let json = lint("json");
    assert_eq!(json.status.code(), Some(1), "{json:?}");
    let report: Value = serde_json::from_str(&stdout(&json)).unwrap();
    for key in [
        "run", "verdict", "coverage", "summary", "checks", "findings", "rules", "lint",
    ] {
        assert!(report.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(report["run"]["command"], "lint");
    assert_eq!(report["lint"]["files_scanned"], 2);
    assert_eq!(
        report["verdict"]["status"], "not-ready",
        "errors at --fail-on"
    );
    let fired: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(fired.contains(&"k8s/privileged-container"), "{fired:?}");
    assert!(
        report["rules"][0]["help"]
            .as_str()
            .unwrap()
            .contains("## What it does")
    );
    assert!(!stdout(&json).contains("hunter2-but-longer"));
    std::fs::write(dir.path().join("lint.json"), stdout(&json)).unwrap();

    // `report lint.json` renders exactly what `lint --format X` prints.
    for (lint_format, report_format) in [
        ("sarif", "sarif"),
        ("junit", "junit"),
        ("human", "terminal"),
        ("md", "md"),
    ] {
        let direct = lint(lint_format);
        let again = shipcheck(
            &["report", "lint.json", "--format", report_format],
            &[],
            dir.path(),
        );
        assert_eq!(again.status.code(), Some(0), "{again:?}");
        let strip_time = |s: String| {
            // The run's start and duration (JUnit's root `time`, Markdown's Date and
            // Duration rows) differ between the two lint runs; the rest must be identical.
            s.lines()
                .filter(|l| {
                    !l.starts_with("<testsuites")
                        && !l.starts_with("| Duration |")
                        && !l.starts_with("| Date |")
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            strip_time(stdout(&again)),
            strip_time(stdout(&direct)),
            "{lint_format}"
        );
    }
}

#[test]
fn lint_sarif_validates_against_the_schema_with_rule_help() {
    let dir = project();
    let out = shipcheck(&["lint", ".", "--format", "sarif"], &[], dir.path());
    let sarif: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let errors: Vec<String> = sarif_validator()
        .iter_errors(&sarif)
        .take(5)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    assert!(!run["results"].as_array().unwrap().is_empty());
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## Why is this bad?"),
            "{rule}"
        );
    }
    for r in run["results"].as_array().unwrap() {
        let idx = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
    }
}

#[test]
fn lint_output_dir_writes_the_report_files() {
    let dir = project();
    let out = shipcheck(&["lint", ".", "--output", "out"], &[], dir.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    for f in ["report.json", "report.sarif", "junit.xml"] {
        assert!(dir.path().join("out").join(f).is_file(), "{f}");
    }
    // An unwritable --output: exit 2 naming the path, and stdout still printed.
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    let out = shipcheck(
        &[
            "lint",
            ".",
            "--format",
            "json",
            "--output",
            "blocker/reports",
        ],
        &[],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("blocker/reports"), "{stderr}");
    let printed: Value = serde_json::from_str(&stdout(&out)).expect("stdout still printed");
    assert_eq!(printed["run"]["command"], "lint");
}

#[test]
fn lint_junit_loads_in_junitparser_with_a_suite_per_file() {
    let dir = project();
    let out = shipcheck(&["lint", ".", "--format", "junit"], &[], dir.path());
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(dir.path().join("lint.xml"), &out.stdout).unwrap();
    let script = "import sys, junitparser\n\
        xml = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
        for s in xml:\n\
        \x20   print(f'{s.name}\\t{s.tests}\\t{s.failures}')\n";
    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir.path().join("lint.xml"))
        .output();
    let Ok(py) = py
        .as_ref()
        .map_err(|_| ())
        .and_then(|o| if o.status.success() { Ok(o) } else { Err(()) })
    else {
        shipcheck_test_support::skip_or_fail("python3 with junitparser");
        return;
    };
    let suites = String::from_utf8_lossy(&py.stdout).into_owned();
    // Errors at the default --fail-on are failures; the Dockerfile has warnings and info only.
    assert!(suites.contains("./Dockerfile\t"), "{suites}");
    assert!(suites.contains("./deploy/web.yaml\t"), "{suites}");
    let web = suites
        .lines()
        .find(|l| l.starts_with("./deploy/web.yaml"))
        .unwrap();
    assert!(web.ends_with("\t3"), "three errors fail: {suites}");
    assert!(
        suites
            .lines()
            .any(|l| l.starts_with("./Dockerfile") && l.ends_with("\t0")),
        "{suites}"
    );
}
