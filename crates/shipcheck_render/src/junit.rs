//! JUnit XML, one encoding for every command. Checks: one testsuite for the plan (one
//! testcase per check; failed → `<failure>`, error → `<error>`, skipped/not-run →
//! `<skipped>`). Findings: one testsuite per file, one testcase per finding; findings at or
//! above the threshold (lint's `--fail-on`, errors for a plan's `lint:` checks) are
//! `<failure>`s, the others pass with their message in `system-out`. A lint run without
//! findings yields one passing testcase, so CI systems that reject empty reports accept it.

use std::io::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use shipcheck_report::{CheckResult, Finding, Report, Severity, Status};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::text::assertion_line;

/// Renders JUnit XML (`junit.xml`).
pub(crate) struct JunitRenderer;

impl Render for JunitRenderer {
    fn render(
        &self,
        report: &Report,
        _cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        // Strings are made visible first (control characters, XML non-characters); a
        // report that cannot be cleaned that way has its XML text cleaned instead.
        let xml = match crate::sanitize::visible_report(report) {
            Some(clean) => junit_report(&clean).to_string(),
            None => junit_report(report)
                .to_string()
                .map(|x| crate::sanitize::clean_output(&x)),
        }
        .map_err(RenderError::Junit)?;
        out.write_all(xml.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .map_err(RenderError::write("junit"))
    }
}

/// The JUnit document: the plan's testsuite of checks, then a testsuite per file of findings.
fn junit_report(report: &Report) -> quick_junit::Report {
    let root = if report.lint.is_some() {
        "shipcheck lint"
    } else {
        "shipcheck"
    };
    let mut junit = quick_junit::Report::new(root);
    if report.run.duration_ms > 0.0 {
        junit.set_time(millis(report.run.duration_ms));
    }
    if report.lint.is_none() || !report.checks.is_empty() {
        let suite_name = report
            .run
            .plan
            .as_ref()
            .map_or(report.run.command.as_str(), |p| p.name.as_str());
        let mut suite = TestSuite::new(suite_name);
        suite.set_time(millis(report.run.duration_ms));
        suite.add_test_cases(report.checks.iter().map(test_case));
        junit.add_test_suite(suite);
    }
    let threshold = report
        .lint
        .as_ref()
        .map_or(Some(Severity::Error), |l| l.fail_on);
    let mut suites: Vec<TestSuite> = Vec::new();
    for f in &report.findings {
        if suites.last().is_none_or(|s| s.name.as_str() != f.path) {
            suites.push(TestSuite::new(f.path.as_str()));
        }
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(finding_case(f, threshold));
        }
    }
    if let Some(lint) = report.lint.as_ref().filter(|_| suites.is_empty()) {
        let mut suite = TestSuite::new("shipcheck lint");
        let files = if lint.files_scanned == 1 {
            "file"
        } else {
            "files"
        };
        let mut case = TestCase::new(
            format!("{} {files} linted, no findings", lint.files_scanned),
            TestCaseStatus::success(),
        );
        case.set_classname("shipcheck lint");
        suite.add_test_case(case);
        suites.push(suite);
    }
    junit.add_test_suites(suites);
    junit
}

/// One finding as a testcase named `rule at line:col` in a class named for its file.
fn finding_case(f: &Finding, threshold: Option<Severity>) -> TestCase {
    let location = format!("{}:{}:{}", f.path, f.line, f.column);
    let mut details = format!("{location}: {}", f.message);
    if let Some(snippet) = &f.snippet {
        details.push_str("\n\n");
        details.push_str(snippet);
    }
    if let Some(help) = &f.help {
        details.push_str("\n\nhelp: ");
        details.push_str(help);
    }
    let failed = threshold.is_some_and(|t| f.severity >= t);
    let status = if failed {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_message(format!("{}: {}", f.severity.as_str(), f.message))
            .set_type(f.rule.as_str())
            .set_description(details.as_str());
        st
    } else {
        TestCaseStatus::success()
    };
    let mut case = TestCase::new(format!("{} at {}:{}", f.rule, f.line, f.column), status);
    case.set_classname(f.path.as_str());
    if !failed {
        case.set_system_out(format!("{}: {details}", f.severity.as_str()));
    }
    case
}

/// A duration from milliseconds; negative or non-finite values become zero.
fn millis(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::ZERO)
}

fn test_case(c: &CheckResult) -> TestCase {
    let status = match c.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let failed: Vec<String> = c.failed_assertions().map(assertion_line).collect();
            let message = failed
                .first()
                .cloned()
                .or_else(|| c.reason.clone())
                .or_else(|| c.error.as_ref().map(|e| e.message.clone()))
                .unwrap_or_else(|| "an expectation did not hold".to_owned());
            st.set_message(message).set_type("assertion");
            if !failed.is_empty() {
                st.set_description(failed.join("\n"));
            }
            st
        }
        Status::Error => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
            match &c.error {
                Some(e) => {
                    st.set_message(e.message.as_str())
                        .set_type(e.class.as_str());
                }
                None => {
                    st.set_message(c.reason.as_deref().unwrap_or("the check could not run"));
                }
            }
            st
        }
        Status::Skipped | Status::NotRun => {
            let mut st = TestCaseStatus::skipped();
            st.set_message(c.reason.as_deref().unwrap_or("no reason given"))
                .set_type(c.status.as_str());
            st
        }
    };
    let mut case = TestCase::new(c.id.as_str(), status);
    case.set_classname(c.kind.as_str())
        .set_time(millis(c.duration_ms));
    if c.status != Status::Passed
        && let Some(ev) = c.evidence.last()
    {
        case.set_system_out(format!("{}:\n{}", ev.label, ev.text));
    }
    case
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use shipcheck_report::{Report, Severity, Status};

    use crate::fixtures;
    use crate::{Format, RenderConfig, render_to_string};

    fn xml(report: &Report) -> String {
        render_to_string(Format::Junit, report, &RenderConfig::default()).unwrap()
    }

    #[test]
    fn snapshot_mixed() {
        insta::assert_snapshot!(xml(&fixtures::mixed()));
    }

    #[test]
    fn snapshot_all_passed() {
        insta::assert_snapshot!(xml(&fixtures::all_passed()));
    }

    #[test]
    fn failure_message_is_the_first_failed_assertion() {
        let text = xml(&fixtures::mixed());
        assert!(
            text.contains(r#"<failure message="status: expected 200, got 500" type="assertion">"#),
            "{text}"
        );
        assert!(
            text.contains(
                r#"<error message="no response from 127.0.0.1:8081 within 2s" type="timeout"/>"#
            ) || text.contains(
                r#"<error message="no response from 127.0.0.1:8081 within 2s" type="timeout">"#
            ),
            "{text}"
        );
        // Findings use the one encoding shared with `lint --format junit`: a testsuite
        // per file, a testcase `rule at line:col`, failures at the threshold (errors).
        assert!(
            text.contains(
                r#"<testcase name="k8s/privileged-container at 12:9" classname="deploy/api.yaml">"#
            ),
            "{text}"
        );
    }

    /// One testsuite as read by `junitparser`: (name, tests, failures, errors, skipped).
    type SuiteCounts = (String, usize, usize, usize, usize);

    /// Counts per testsuite as read by `junitparser`, or `None` when it is not installed.
    fn junitparser_counts(path: &std::path::Path) -> Option<Vec<SuiteCounts>> {
        let probe = Command::new("python3")
            .args(["-c", "import junitparser"])
            .output();
        if !matches!(probe, Ok(ref o) if o.status.success()) {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "junitparser is required in CI (pip install junitparser)"
            );
            eprintln!(
                "notice: python3 with junitparser not available; skipping the consumer check"
            );
            return None;
        }
        let script = "import sys, junitparser\n\
            xml = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
            for s in xml:\n\
            \x20   print(f'{s.name}\\t{s.tests}\\t{s.failures}\\t{s.errors}\\t{s.skipped}')\n";
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(path)
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

    #[test]
    fn loads_in_junitparser_with_the_right_counts() {
        for report in [fixtures::mixed(), fixtures::all_passed()] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("junit.xml");
            std::fs::write(&path, xml(&report)).unwrap();
            let Some(suites) = junitparser_counts(&path) else {
                return;
            };

            let s = &report.summary;
            let mut want = vec![(
                "staging smoke".to_owned(),
                s.total,
                s.count(Status::Failed),
                s.count(Status::Error),
                s.count(Status::Skipped) + s.count(Status::NotRun),
            )];
            // Then one testsuite per file with findings: every finding a testcase, the
            // error-severity ones failures.
            let mut paths: Vec<&str> = report.findings.iter().map(|f| f.path.as_str()).collect();
            paths.dedup();
            for p in paths {
                let mine = || report.findings.iter().filter(move |f| f.path == p);
                let errors = mine().filter(|f| f.severity == Severity::Error).count();
                want.push((p.to_owned(), mine().count(), errors, 0, 0));
            }
            assert_eq!(suites, want);
        }
    }
}
