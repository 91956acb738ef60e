//! JUnit XML for `shipcheck lint --format junit`: one testsuite per file with findings, one
//! testcase per finding; findings at or above the `--fail-on` threshold are `<failure>`s,
//! the others pass with their message in `system-out`. A run without findings yields one
//! passing testcase, so CI systems that reject empty reports accept it.

use std::io;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use shipcheck_report::{Finding, Severity};

/// Renders findings as JUnit XML. `fail_on` is the `--fail-on` threshold (`None`: never).
/// Findings must be sorted by path (as [`crate::LintOutcome`] returns them); messages and
/// snippets are written as they are, already masked.
pub fn render_junit(
    findings: &[Finding],
    files_scanned: usize,
    fail_on: Option<Severity>,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut report = Report::new("shipcheck lint");
    let mut suites: Vec<TestSuite> = Vec::new();
    for f in findings {
        if suites.last().is_none_or(|s| s.name.as_str() != f.path) {
            suites.push(TestSuite::new(f.path.as_str()));
        }
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(test_case(f, fail_on));
        }
    }
    if suites.is_empty() {
        let mut suite = TestSuite::new("shipcheck lint");
        let files = if files_scanned == 1 { "file" } else { "files" };
        let mut case = TestCase::new(
            format!("{files_scanned} {files} linted, no findings"),
            TestCaseStatus::success(),
        );
        case.set_classname("shipcheck lint");
        suite.add_test_case(case);
        suites.push(suite);
    }
    report.add_test_suites(suites);
    // Serialize to memory first so write errors (a closed pipe) keep their io kind.
    let xml = report.to_string().map_err(io::Error::other)?;
    out.write_all(xml.as_bytes())?;
    writeln!(out)
}

fn test_case(f: &Finding, fail_on: Option<Severity>) -> TestCase {
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
    let failed = fail_on.is_some_and(|t| f.severity >= t);
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
