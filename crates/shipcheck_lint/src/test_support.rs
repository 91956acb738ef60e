//! Test helpers: run one rule over a fixture and compare finding lines with `# expect`
//! markers, then snapshot the human output.

use std::path::Path;

use crate::Rule;
use crate::engine::{LintInput, LintOptions, lint_inputs_only};

/// Lines marked as expected findings: a trailing `# expect` marks its own line; a line
/// that is only `# expect` marks the next line.
pub(crate) fn expected_lines(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i).unwrap_or(u32::MAX) + 1;
        let t = line.trim_start();
        if t == "# expect" || t.starts_with("# expect ") {
            out.push(n + 1);
        } else if line.contains("# expect") {
            out.push(n);
        }
    }
    out
}

/// Lints `path` with only `rule` enabled; returns the finding lines and the human output.
pub(crate) fn run_fixture(rule: Rule, path: &str) -> (Vec<u32>, String, String) {
    let text = std::fs::read_to_string(Path::new(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let input = LintInput {
        path: path.to_owned(),
        disk_path: Some(path.into()),
        text: text.clone(),
        explicit: true,
        unread: None,
    };
    let outcome = lint_inputs_only(vec![input], &LintOptions::default(), Some(rule)).unwrap();
    let mut lines: Vec<u32> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == rule.code())
        .map(|f| f.line)
        .collect();
    lines.dedup();
    (lines, human(outcome), text)
}

/// The terminal rendering of a lint run (code frames and the summary line), as
/// `shipcheck lint` prints it.
pub(crate) fn human(outcome: crate::LintOutcome) -> String {
    let report = outcome.into_report(
        shipcheck_report::RunInfo::default(),
        Some(shipcheck_report::Severity::Error),
    );
    let cfg = shipcheck_render::RenderConfig::default();
    shipcheck_render::render_to_string(shipcheck_render::Format::Terminal, &report, &cfg)
        .unwrap_or_else(|e| panic!("rendering: {e}"))
}

/// Generates, per rule, a test that the bad fixture yields findings exactly on the
/// `# expect` lines (snapshotting the human output) and the good fixture yields none.
macro_rules! rule_fixture_tests {
    ($family:literal, $ext:literal; $($name:ident => $rule:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let base = concat!("resources/test/fixtures/", $family, "/", stringify!($name));
                let bad = format!("{base}_bad.{}", $ext);
                let (lines, human, text) = $crate::test_support::run_fixture($rule, &bad);
                let expected = $crate::test_support::expected_lines(&text);
                assert!(!expected.is_empty(), "{bad}: no `# expect` markers");
                assert_eq!(lines, expected, "{bad}: finding lines\n{human}");
                insta::assert_snapshot!(concat!(stringify!($name), "_bad"), human);
                let good = format!("{base}_good.{}", $ext);
                let (lines, human, _) = $crate::test_support::run_fixture($rule, &good);
                assert!(lines.is_empty(), "{good}: expected no findings\n{human}");
            }
        )*
    };
}
pub(crate) use rule_fixture_tests;
