//! Tests that hold for every format: edge-case reports render, and renderers print only
//! what the (already redacted) report holds.

use shipcheck_report::{Redactor, Report, RunInfo};

use crate::fixtures;
use crate::{Format, RenderConfig, render_to_string};

const ALL: [Format; 4] = [
    Format::Terminal,
    Format::Markdown,
    Format::Json,
    Format::Junit,
];

fn every_format(report: &Report) -> Vec<(Format, String)> {
    let cfgs = [
        RenderConfig::default(),
        RenderConfig {
            color: true,
            verbose: true,
            ..RenderConfig::default()
        },
    ];
    let mut out = Vec::new();
    for f in ALL {
        for cfg in &cfgs {
            out.push((f, render_to_string(f, report, cfg).unwrap()));
        }
    }
    out
}

#[test]
fn an_empty_report_renders_in_every_format() {
    let report = Report::new(RunInfo::default(), Vec::new(), Vec::new());
    for (f, text) in every_format(&report) {
        assert!(!text.is_empty(), "{f}");
        if f == Format::Markdown {
            assert!(text.contains("No checks were planned."));
        }
    }
}

#[test]
fn an_interrupted_run_says_so() {
    let mut report = fixtures::all_passed();
    report.run.interrupted = true;
    report.run.interrupt_reason = Some("Ctrl-C".into());
    let report = Report::new(report.run, report.checks, report.findings);
    let cfg = RenderConfig::default();
    let term = render_to_string(Format::Terminal, &report, &cfg).unwrap();
    assert!(term.contains("interrupted: Ctrl-C"));
    assert!(term.contains("Verdict: NOT READY"));
    let md = render_to_string(Format::Markdown, &report, &cfg).unwrap();
    assert!(md.contains("| Interrupted | yes: Ctrl-C |"));
    assert!(md.contains("the run was interrupted"));
}

#[test]
fn a_redacted_report_leaks_no_secret_form_in_any_format() {
    let secret = "s3cr3t&<token>|`x`";
    let mut report = fixtures::mixed();
    report.checks[1].evidence[0].text = format!("authorization: Bearer {secret}");
    report.checks[1].assertions[0].actual = format!("echo {secret}");
    report.checks[3].error.as_mut().unwrap().message = format!("refused for {secret}");
    report.run.environment.insert("token".into(), secret.into());
    let mut redactor = Redactor::new();
    redactor.add_secret(secret);
    let report = redactor.redact(&report);
    // Forms a renderer could produce by escaping: raw, Markdown-escaped, XML-escaped.
    let forms = [
        secret.to_owned(),
        "s3cr3t".to_owned(),
        "s3cr3t&amp;".to_owned(),
        "s3cr3t&\\<token\\>".to_owned(),
    ];
    for (f, text) in every_format(&report) {
        for form in &forms {
            assert!(!text.contains(form.as_str()), "{f} leaks {form:?}");
        }
        assert!(text.contains("[REDACTED]"), "{f} shows where a secret was");
    }
}

/// Issue 9.8: a check that passed only after retries was shown as plainly passed. The
/// terminal, Markdown and JSON reports name it with its attempts; the verdict stays ready.
#[test]
fn checks_that_passed_only_after_retries_are_named_flaky() {
    let report = fixtures::flaky();
    assert_eq!(
        report.verdict.status,
        shipcheck_report::VerdictStatus::Ready
    );
    let cfg = RenderConfig::default();
    let term = render_to_string(Format::Terminal, &report, &cfg).unwrap();
    assert!(
        term.contains("Flaky: 1 check(s) passed only after retries"),
        "{term}"
    );
    assert!(
        term.contains("`readiness` passed only on attempt 2 (attempt 1: status 503)"),
        "{term}"
    );
    let md = render_to_string(Format::Markdown, &report, &cfg).unwrap();
    assert!(
        md.contains("Flaky: 1 check(s) passed only after retries (counted as passed):"),
        "{md}"
    );
    assert!(
        md.contains("- `readiness` passed only on attempt 2"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render_to_string(Format::Json, &report, &cfg).unwrap()).unwrap();
    assert_eq!(
        json["summary"]["flaky"],
        serde_json::json!([{ "id": "readiness", "attempts": 2, "notes": ["attempt 1: status 503"] }])
    );
    // A run with no flaky check says nothing about it.
    let steady = fixtures::all_passed();
    for f in [Format::Terminal, Format::Markdown, Format::Json] {
        let text = render_to_string(f, &steady, &cfg).unwrap();
        assert!(!text.to_lowercase().contains("flaky"), "{f}: {text}");
    }
}

/// Issue 9.15: the header names what is verified (as declared) and the host the run came
/// from as such.
#[test]
fn the_header_names_the_subject_as_declared_and_the_host_the_run_came_from() {
    let mut report = fixtures::all_passed();
    report.run.subject = shipcheck_report::Subject {
        release: Some("fleet-api".into()),
        version: Some("1.20".into()),
        commit: Some("0a1b2c3".into()),
    };
    let cfg = RenderConfig::default();
    let term = render_to_string(Format::Terminal, &report, &cfg).unwrap();
    assert!(
        term.contains(
            "verifying release fleet-api · version 1.20 · commit 0a1b2c3 (as declared by the plan)"
        ),
        "{term}"
    );
    assert!(term.contains("from host ci-runner-7"), "{term}");
    let md = render_to_string(Format::Markdown, &report, &cfg).unwrap();
    assert!(
        md.contains("| Verifying | release fleet-api · version 1.20 · commit 0a1b2c3 (as declared by the plan) |"),
        "{md}"
    );
    assert!(md.contains("| Run from (host) | ci-runner-7 |"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&render_to_string(Format::Json, &report, &cfg).unwrap()).unwrap();
    assert_eq!(
        json["run"]["subject"],
        serde_json::json!({ "release": "fleet-api", "version": "1.20", "commit": "0a1b2c3" })
    );
    // Undeclared: no line, and no key in the JSON.
    let plain = fixtures::all_passed();
    let term = render_to_string(Format::Terminal, &plain, &cfg).unwrap();
    assert!(!term.contains("verifying"), "{term}");
    let json: serde_json::Value =
        serde_json::from_str(&render_to_string(Format::Json, &plain, &cfg).unwrap()).unwrap();
    assert!(json["run"].get("subject").is_none(), "{}", json["run"]);
}

/// Issue 9.14: the terminal table uses plain ASCII when asked (not a TTY) and fits a
/// given width.
#[test]
fn the_terminal_table_can_be_plain_ascii_and_fit_a_width() {
    let report = fixtures::mixed();
    let ascii = RenderConfig {
        ascii: true,
        ..RenderConfig::default()
    };
    let text = render_to_string(Format::Terminal, &report, &ascii).unwrap();
    let table: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('|') || l.starts_with('+'))
        .collect();
    assert!(table.len() > 4, "{text}");
    for line in &table {
        assert!(line.is_ascii(), "not ASCII: {line}");
    }
    assert!(!text.contains('│'), "{text}");
    let narrow = RenderConfig {
        ascii: true,
        width: Some(60),
        ..RenderConfig::default()
    };
    let text = render_to_string(Format::Terminal, &report, &narrow).unwrap();
    for line in text
        .lines()
        .filter(|l| l.starts_with('|') || l.starts_with('+'))
    {
        assert!(line.chars().count() <= 60, "wider than 60: {line}");
    }
    // The default (a terminal) keeps its box-drawing table.
    let text = render_to_string(Format::Terminal, &report, &RenderConfig::default()).unwrap();
    assert!(text.contains('│'), "{text}");
}
