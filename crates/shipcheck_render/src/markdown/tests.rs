use crate::fixtures;
use crate::{DetailLevel, Format, RenderConfig, render_to_string};

fn md(report: &shipcheck_report::Report) -> String {
    render_to_string(Format::Markdown, report, &RenderConfig::default()).unwrap()
}

#[test]
fn snapshot_mixed() {
    insta::assert_snapshot!(md(&fixtures::mixed()));
}

#[test]
fn snapshot_all_passed() {
    insta::assert_snapshot!(md(&fixtures::all_passed()));
}

#[test]
fn has_every_section_in_order() {
    let text = md(&fixtures::mixed());
    let mut at = 0;
    for heading in [
        "# shipcheck report: staging smoke",
        "## Executive summary",
        "## Environment",
        "## Results",
        "## Details",
        "## Issues",
        "## Performance",
        "## Verdict",
    ] {
        let pos = text[at..]
            .find(heading)
            .unwrap_or_else(|| panic!("missing {heading}"));
        at += pos + heading.len();
    }
}

#[test]
fn failed_check_shows_expected_and_actual() {
    let text = md(&fixtures::mixed());
    assert!(text.contains("| `status` | equals | `200` | `500` | ✗ |"));
    assert!(text.contains("`status`: expected `200`, got `500`"));
    assert!(text.contains("`duration`: expected `under 200ms`, got `341.7ms`"));
    assert!(text.contains("no response from 127.0.0.1:8081 within 2s (after 3 attempts)"));
}

#[test]
fn environment_is_declared_not_verified() {
    let text = md(&fixtures::mixed());
    assert!(text.contains("*declared by the plan, not verified*"));
    assert!(
        text.contains("| images | api:1.4.2 \\| web:1.4.2 |"),
        "pipes in cells are escaped"
    );
}

#[test]
fn evidence_cannot_break_out_of_its_fence() {
    let text = md(&fixtures::mixed());
    let start = text
        .find("````text\nHTTP/1.1 500")
        .expect("a four-backtick fence");
    let rest = &text[start + 4..];
    let end = rest.find("\n````\n").expect("closed by four backticks");
    assert!(rest[..end].contains("```\n| column | value |\n```"));
}

#[test]
fn performance_shows_targets_and_informational_timings() {
    let text = md(&fixtures::mixed());
    assert!(text.contains("| `ready-latency` | total | 342 ms | \\< 200ms | ✗ missed |"));
    assert!(text.contains("| `liveness` | total | 12 ms | \\< 200ms | ✓ met |"));
    assert!(text.contains("Timings without a target (informational)"));
    assert!(
        text.contains("| http | first_byte | "),
        "informational timings are summarised per kind: {text}"
    );
    assert!(
        !text.contains("| `liveness` | first_byte |"),
        "not one row per phase"
    );
}

#[test]
fn issues_cover_failed_error_and_not_run_but_not_skipped() {
    let text = md(&fixtures::mixed());
    assert!(text.contains("### Issue 1: `login` failed"));
    assert!(text.contains("### Issue 3: `upstream` could not run"));
    assert!(text.contains("### Issue 4: `vehicles` did not run"));
    assert!(!text.contains("### Issue 5"));
    assert!(text.contains("#### Errors (1)"));
}

#[test]
fn all_passed_has_no_issues() {
    let text = md(&fixtures::all_passed());
    assert!(text.contains("**Verdict: ready.**"));
    assert!(text.contains("No issues"));
    assert!(text.contains("The plan declares no environment facts."));
}

fn md_with(report: &shipcheck_report::Report, details: DetailLevel) -> String {
    let cfg = RenderConfig {
        details,
        ..RenderConfig::default()
    };
    render_to_string(Format::Markdown, report, &cfg).unwrap()
}

#[test]
fn details_default_to_the_checks_that_did_not_pass() {
    let report = fixtures::mixed();
    let text = md(&report);
    for c in &report.checks {
        let heading = format!("`{}`", c.id);
        let has_details = text
            .lines()
            .any(|l| l.starts_with("### ") && l.contains(&heading) && !l.contains("Issue"));
        let problem = matches!(
            c.status,
            shipcheck_report::Status::Failed
                | shipcheck_report::Status::Error
                | shipcheck_report::Status::NotRun
        );
        assert_eq!(has_details, problem, "details of {} ({:?})", c.id, c.status);
    }
    assert!(text.contains("other checks are in `report.json`"));
    assert!(!text.contains("<details>"));
}

#[test]
fn details_all_collapses_passed_checks_and_none_drops_the_section() {
    let report = fixtures::mixed();
    let all = md_with(&report, DetailLevel::All);
    let passed = report
        .checks
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                shipcheck_report::Status::Passed | shipcheck_report::Status::Skipped
            )
        })
        .count();
    assert!(passed > 0);
    assert_eq!(all.matches("<details><summary>").count(), passed);
    assert_eq!(all.matches("</details>").count(), passed);
    let none = md_with(&report, DetailLevel::None);
    assert!(!none.contains("## Details"));
    assert!(none.contains("## Issues") && none.contains("## Verdict"));
}

#[test]
fn the_summary_names_each_failure_with_expected_and_actual() {
    let text = md(&fixtures::mixed());
    let summary =
        &text[text.find("## Executive summary").unwrap()..text.find("## Environment").unwrap()];
    assert!(summary.contains("What failed:"), "{summary}");
    assert!(
        summary.contains("`login` (http, critical): status: expected"),
        "{summary}"
    );
}

#[test]
fn a_hint_from_the_kind_is_shown_with_its_issue() {
    let mut report = fixtures::mixed();
    let c = report
        .checks
        .iter_mut()
        .find(|c| c.status == shipcheck_report::Status::Failed)
        .unwrap();
    c.hint = Some("the service answered with an error: see its logs".into());
    let text = md(&report);
    assert!(text.contains("- **Usual cause:** the service answered with an error: see its logs"));
}

#[test]
fn series_are_summarised_not_listed() {
    use shipcheck_report::{MeasureUnit, Point, Series};
    let mut report = fixtures::all_passed();
    let points = (0..5_000)
        .map(|i| Point {
            t_ms: f64::from(i) * 10.0,
            value: f64::from(i % 2),
        })
        .collect();
    report.checks[0].series.push(Series {
        name: "up".into(),
        unit: MeasureUnit::Count,
        points,
    });
    let text = md_with(&report, DetailLevel::All);
    assert!(
        text.contains("**Series** (points in report.json)"),
        "{text}"
    );
    assert!(
        text.contains("| up | count | 5000 | 0.0 ms | 49.99 s | 0 | 1 |"),
        "{text}"
    );
    assert!(!text.contains("49990"), "points are not listed");
}
