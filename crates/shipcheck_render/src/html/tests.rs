use shipcheck_report::{MeasureUnit, Point, Series, Status};

use crate::fixtures;
use crate::{DetailLevel, Format, RenderConfig, render_to_string};

fn html(report: &shipcheck_report::Report) -> String {
    render_to_string(Format::Html, report, &RenderConfig::default()).unwrap()
}

fn with_series() -> shipcheck_report::Report {
    let mut report = fixtures::mixed();
    let c = &mut report.checks[0];
    c.series.push(Series {
        name: "requests per second".into(),
        unit: MeasureUnit::Count,
        points: (0..10)
            .map(|i| Point {
                t_ms: f64::from(i) * 1000.0,
                value: 100.0 + f64::from(i),
            })
            .collect(),
    });
    c.series.push(Series {
        name: "probe up".into(),
        unit: MeasureUnit::Count,
        points: (0..100)
            .map(|i| Point {
                t_ms: f64::from(i) * 10.0,
                value: if (40..55).contains(&i) { 0.0 } else { 1.0 },
            })
            .collect(),
    });
    report
}

#[test]
fn one_self_contained_page_that_cannot_fetch_anything() {
    let page = html(&with_series());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    for external in ["<link", " src=", "@import", "url("] {
        assert!(!page.contains(external), "{external} in the page");
    }
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn sections_charts_and_the_filter_are_present() {
    let page = html(&with_series());
    for id in [
        "summary",
        "results",
        "charts",
        "details",
        "issues",
        "lint",
        "performance",
        "verdict",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    assert!(page.contains("svg class=\"chart strip\""));
    assert_eq!(page.matches("svg class=\"chart series").count(), 2);
    assert!(page.contains("chart series updown"));
    assert!(
        page.contains("class=\"down\""),
        "the down stretch is shaded"
    );
    assert!(page.contains("id=\"only-failed\""));
    // Rows of passed checks carry the class the filter hides.
    assert!(page.contains("<tr class=\"ok passed\">"));
    assert!(page.contains("<tr class=\"bad failed\">"));
}

#[test]
fn text_from_servers_is_escaped() {
    let mut report = fixtures::mixed();
    report.checks[1].evidence[0].text = "<script>alert(1)</script> & \"q\"".into();
    let page = html(&report);
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;"));
}

#[test]
fn failed_checks_have_details_and_passed_ones_only_with_details_all() {
    let report = fixtures::mixed();
    let page = html(&report);
    let passed = report
        .checks
        .iter()
        .find(|c| c.status == Status::Passed)
        .unwrap();
    let failed = report
        .checks
        .iter()
        .find(|c| c.status == Status::Failed)
        .unwrap();
    assert!(page.contains(&format!("id=\"check-{}\"", failed.id)));
    assert!(!page.contains(&format!("id=\"check-{}\"", passed.id)));
    let cfg = RenderConfig {
        details: DetailLevel::All,
        ..RenderConfig::default()
    };
    let all = render_to_string(Format::Html, &report, &cfg).unwrap();
    assert!(all.contains(&format!("id=\"check-{}\"", passed.id)));
    assert!(all.contains("<details class=\"ok passed\">"));
}

#[test]
fn lint_findings_are_grouped_by_file_with_code_frames() {
    let report = fixtures::mixed();
    let page = html(&report);
    let files: std::collections::BTreeSet<_> =
        report.findings.iter().map(|f| f.path.as_str()).collect();
    for f in files {
        assert_eq!(
            page.matches(&format!("<h3><code>{}</code>", super::esc(f)))
                .count(),
            1,
            "one heading for {f}"
        );
    }
    assert_eq!(
        page.matches("<pre class=\"finding").count(),
        report.findings.len()
    );
}
