//! Hostile text in the report (server bodies, the plan's name, title and environment,
//! lint snippets) cannot break a format: no raw control characters reach Markdown or the
//! terminal, and JUnit XML stays well-formed.

use shipcheck_report::{Report, Status};

use crate::fixtures;
use crate::{Format, RenderConfig, render_to_string};

/// Every control character a server or a plan could plant, plus XML's non-characters.
const HOSTILE: &str =
    "a\x1b[2J\x1b]0;pwned\x07b\0c\x08d\x0b\x0c\r\u{7f}\u{85}\u{9b}e\u{fffe}\u{ffff}f";

fn hostile_report() -> Report {
    let mut report = fixtures::mixed();
    if let Some(plan) = report.run.plan.as_mut() {
        plan.name = format!("plan {HOSTILE}");
        plan.path = format!("plans/{HOSTILE}.yaml");
    }
    report
        .run
        .environment
        .insert(format!("k{HOSTILE}"), format!("v{HOSTILE}"));
    report.run.host = format!("host{HOSTILE}");
    report.run.interrupt_reason = Some(format!("why{HOSTILE}"));
    for c in &mut report.checks {
        c.title = format!("title {HOSTILE}");
        c.reason = Some(format!("reason {HOSTILE}"));
        if let Some(e) = c.error.as_mut() {
            e.message = format!("error {HOSTILE}");
        }
        for a in &mut c.assertions {
            a.actual = format!("actual {HOSTILE}");
            a.expected = format!("expected {HOSTILE}");
        }
        for ev in &mut c.evidence {
            ev.text = format!("HTTP/1.1 500\n{HOSTILE}\nbody {HOSTILE}");
        }
        for m in &mut c.measurements {
            m.target = Some(format!("< 1ms {HOSTILE}"));
        }
    }
    report.checks[0].status = Status::Failed;
    for f in &mut report.findings {
        f.message = format!("message {HOSTILE}");
        f.snippet = Some(format!("line {HOSTILE}"));
        f.help = Some(format!("help {HOSTILE}"));
    }
    Report::new(report.run, report.checks, report.findings)
}

fn render(format: Format, report: &Report, verbose: bool) -> String {
    let cfg = RenderConfig {
        color: false,
        verbose,
        ..RenderConfig::default()
    };
    render_to_string(format, report, &cfg).unwrap_or_else(|e| panic!("{format}: {e}"))
}

/// The control characters found in `text` other than newline and tab.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect()
}

#[test]
fn markdown_carries_no_raw_control_characters() {
    let text = render(Format::Markdown, &hostile_report(), false);
    assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
    assert!(
        text.contains("\u{241b}[2J"),
        "ESC is shown visibly:\n{text}"
    );
    assert!(text.contains("\u{2407}"), "BEL is shown visibly");
    assert!(text.contains("\u{2400}"), "NUL is shown visibly");
}

#[test]
fn terminal_carries_no_raw_control_characters() {
    for verbose in [false, true] {
        let text = render(Format::Terminal, &hostile_report(), verbose);
        assert_eq!(raw_controls(&text), Vec::<char>::new(), "{text}");
        assert!(
            text.contains("\u{241b}[2J"),
            "ESC is shown visibly:\n{text}"
        );
    }
}

/// Whether `c` may appear in an XML 1.0 document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[test]
fn junit_stays_well_formed_xml() {
    let text = render(Format::Junit, &hostile_report(), false);
    let bad: Vec<char> = text.chars().filter(|c| !xml_char(*c)).collect();
    assert_eq!(bad, Vec::<char>::new(), "{text}");
    // Character references to forbidden characters are just as invalid.
    for reference in [
        "&#0;", "&#x0;", "&#27;", "&#x1b;", "&#x1B;", "&#65534;", "&#xfffe;", "&#xFFFE;",
    ] {
        assert!(!text.contains(reference), "{reference} in {text}");
    }
    assert!(
        text.contains("actual a"),
        "the surrounding text survives:\n{text}"
    );
}

#[test]
fn lint_code_frames_carry_no_raw_control_characters() {
    let mut report = fixtures::lint_run();
    for f in &mut report.findings {
        f.snippet = Some(format!("line {HOSTILE}"));
        f.message = format!("message {HOSTILE}");
    }
    for format in [Format::Terminal, Format::Markdown] {
        let text = render(format, &report, false);
        assert_eq!(raw_controls(&text), Vec::<char>::new(), "{format}: {text}");
    }
}

#[test]
fn a_report_that_does_not_round_trip_through_json_is_still_cleaned() {
    // JSON has no NaN, so this report cannot be cleaned through its JSON form.
    let mut report = hostile_report();
    report.run.duration_ms = f64::NAN;
    for format in [Format::Terminal, Format::Markdown, Format::Junit] {
        for color in [false, true] {
            let cfg = RenderConfig {
                color,
                verbose: true,
                ..RenderConfig::default()
            };
            let text = render_to_string(format, &report, &cfg).unwrap();
            let bad: Vec<char> = text
                .chars()
                .filter(|c| {
                    (c.is_control() && !matches!(c, '\n' | '\t' | '\x1b'))
                        || matches!(c, '\u{fffe}' | '\u{ffff}')
                })
                .collect();
            assert_eq!(bad, Vec::<char>::new(), "{format}: {text}");
            assert!(
                !text.contains("\x1b[2J") && !text.contains("\x1b]0;"),
                "{format}: {text}"
            );
        }
    }
}
