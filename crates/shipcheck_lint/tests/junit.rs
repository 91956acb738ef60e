//! `--format junit`: the XML loads in `junitparser` (a real consumer) with one testsuite per
//! file, one testcase per finding and failures exactly for findings at or above `--fail-on`.

#![allow(clippy::unwrap_used, reason = "test code")]

use std::process::Command;

use shipcheck_lint::{LintInput, LintOptions, LintOutcome, Severity, lint_inputs};

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: \"2\"\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          livenessprobe: { httpGet: { path: /, port: 80 } }\n          env: [{ name: DB_PASSWORD, value: \"hunter2-but-longer\" }]\n";
const DOCKERFILE: &str = "FROM python:3.12\nRUN pip install flask\nCMD python app.py\n";
const CLEAN_ENV: &str =
    "# Copy to .env; never commit the real file.\n# Port the API listens on.\nPORT=8080\n";

fn lint(files: &[(&str, &str)]) -> LintOutcome {
    let inputs = files
        .iter()
        .map(|(path, text)| LintInput {
            path: (*path).into(),
            disk_path: None,
            text: (*text).into(),
            explicit: true,
            unread: None,
        })
        .collect();
    lint_inputs(inputs, &LintOptions::default()).unwrap()
}

fn junit(o: &LintOutcome, fail_on: Option<Severity>) -> String {
    let report = o
        .clone()
        .into_report(shipcheck_report::RunInfo::default(), fail_on);
    let cfg = shipcheck_render::RenderConfig::default();
    shipcheck_render::render_to_string(shipcheck_render::Format::Junit, &report, &cfg).unwrap()
}

/// One testsuite as read by `junitparser`: (name, tests, failures, errors, skipped).
type SuiteCounts = (String, usize, usize, usize, usize);

/// Counts per testsuite as read by `junitparser`, or `None` when it is not installed
/// (which fails the test when `CI=true`).
fn junitparser_counts(xml: &str) -> Option<Vec<SuiteCounts>> {
    let probe = Command::new("python3")
        .args(["-c", "import junitparser"])
        .output();
    if !matches!(probe, Ok(ref o) if o.status.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "junitparser is required in CI (pip install junitparser)"
        );
        eprintln!("notice: python3 with junitparser not available; skipping the consumer check");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lint.xml");
    std::fs::write(&path, xml).unwrap();
    let script = "import sys, junitparser\n\
        xml = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
        for s in xml:\n\
        \x20   print(f'{s.name}\\t{s.tests}\\t{s.failures}\\t{s.errors}\\t{s.skipped}')\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "junitparser failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    Some(
        stdout
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let n = |i: usize| f[i].parse::<usize>().unwrap();
                (f[0].to_owned(), n(1), n(2), n(3), n(4))
            })
            .collect(),
    )
}

/// What the counts must be, from the findings themselves.
fn expected(o: &LintOutcome, fail_on: Option<Severity>) -> Vec<SuiteCounts> {
    let mut paths: Vec<&str> = o.findings.iter().map(|f| f.path.as_str()).collect();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| {
            let mine: Vec<_> = o.findings.iter().filter(|f| f.path == p).collect();
            let failures = mine
                .iter()
                .filter(|f| fail_on.is_some_and(|t| f.severity >= t))
                .count();
            (p.to_owned(), mine.len(), failures, 0, 0)
        })
        .collect()
}

#[test]
fn one_suite_per_file_one_case_per_finding_failures_at_the_threshold() {
    let o = lint(&[
        ("deploy/web.yaml", DEPLOY),
        ("Dockerfile", DOCKERFILE),
        (".env.example", CLEAN_ENV),
    ]);
    let severities: Vec<Severity> = o.findings.iter().map(|f| f.severity).collect();
    assert!(severities.contains(&Severity::Error) && severities.contains(&Severity::Warning));
    for fail_on in [
        Some(Severity::Error),
        Some(Severity::Warning),
        Some(Severity::Info),
        None,
    ] {
        let xml = junit(&o, fail_on);
        let want = expected(&o, fail_on);
        assert_eq!(want.len(), 2, "files with findings: {want:?}");
        assert!(want.iter().all(|(_, tests, ..)| *tests > 0));
        if let Some(got) = junitparser_counts(&xml) {
            assert_eq!(got, want, "fail_on {fail_on:?}\n{xml}");
        }
        assert_eq!(
            xml.matches("<failure").count(),
            want.iter().map(|w| w.2).sum::<usize>()
        );
    }
}

#[test]
fn secrets_stay_masked_and_positions_are_named() {
    let o = lint(&[("deploy/web.yaml", DEPLOY)]);
    let xml = junit(&o, Some(Severity::Error));
    assert!(!xml.contains("hunter2-but-longer"), "{xml}");
    assert!(
        xml.contains(r#"name="k8s/schema-unknown-field at 16:11""#),
        "{xml}"
    );
    assert!(
        xml.contains("deploy/web.yaml:16:11: Deployment/web has unknown field `livenessprobe`")
    );
}

#[test]
fn a_clean_run_is_one_passing_case() {
    let o = lint(&[(".env.example", CLEAN_ENV)]);
    assert!(o.findings.is_empty(), "{:?}", o.findings);
    let xml = junit(&o, Some(Severity::Error));
    insta::assert_snapshot!(xml);
    if let Some(got) = junitparser_counts(&xml) {
        assert_eq!(got, vec![("shipcheck lint".to_owned(), 1, 0, 0, 0)]);
    }
}
