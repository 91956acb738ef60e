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
