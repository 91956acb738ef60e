//! The `logs` kind on real files and a real command: clean and failing logs, the window
//! since the plan started, JSON lines, the byte cap, counts by level.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::time::{Duration, SystemTime};

use shipcheck_plan::load_str;

use crate::KINDS;
use crate::kinds::test_util::{check_in as check, results, run_at};




/// An RFC 3339 UTC stamp `secs` from now.
fn stamp(offset_secs: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs);
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn a_clean_log_passes_and_an_error_line_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "2026-01-31 12:00:00 INFO started\n2026-01-31 12:00:01 WARNING slow\n2026-01-31 12:00:02 INFO ok\n").unwrap();
    let c = check(dir.path(), "    logs: app.log\n");
    let o = run_at(&c, SystemTime::now()).await.unwrap();
    let r = results(&c, &o);
    assert!(r[0].passed, "{r:?}");
    assert!(o.measurements.iter().any(|m| m.name == "level INFO" && m.value == 2.0), "{:?}", o.measurements);
    assert!(o.measurements.iter().any(|m| m.name == "level WARNING" && m.value == 1.0));

    std::fs::write(&log, "2026-01-31 12:00:00 INFO started\n2026-01-31 12:00:03 ERROR database is locked\nTraceback (most recent call last):\n").unwrap();
    let o = run_at(&c, SystemTime::now()).await.unwrap();
    let r = results(&c, &o);
    assert!(!r[0].passed);
    assert_eq!(r[0].actual, "1 of 3 lines: line 2: 2026-01-31 12:00:03 ERROR database is locked", "{r:?}");
}

#[tokio::test]
async fn since_plan_start_ignores_older_errors_and_keeps_tracebacks_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let text = format!(
        "{} ERROR before the deploy\n  traceback of the old error\n{} INFO started\n{} ERROR after the deploy\n  traceback line\n",
        stamp(-3600),
        stamp(-1),
        stamp(0)
    );
    std::fs::write(&log, text).unwrap();
    let c = check(dir.path(), "    logs: { file: app.log, since: plan_start }\n    expect: { lines: 3 }\n");
    let started = SystemTime::now() - Duration::from_secs(60);
    let o = run_at(&c, started).await.unwrap();
    let r = results(&c, &o);
    assert!(!r[0].passed);
    assert!(r[0].actual.starts_with("1 of 3 lines") && r[0].actual.contains("after the deploy"), "{r:?}");
    assert!(r[1].passed, "{r:?}");
    // Started after every line: nothing to judge, nothing failing.
    let o = run_at(&c, SystemTime::now() + Duration::from_secs(60)).await.unwrap();
    assert!(results(&c, &o)[0].passed);
}

#[tokio::test]
async fn json_lines_are_validated_and_levels_read_from_their_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.jsonl"),
        "{\"ts\": 1769860800, \"level\": \"info\", \"msg\": \"up\"}\nnot json at all\n{\"ts\": 1769860801, \"level\": \"warning\", \"msg\": \"slow\"}\n",
    )
    .unwrap();
    let c = check(dir.path(), "    logs: { file: app.jsonl, format: json }\n");
    let o = run_at(&c, SystemTime::now()).await.unwrap();
    let r = results(&c, &o);
    assert!(r[0].passed, "{r:?}");
    assert_eq!(r[1].subject, "lines not in the format");
    assert_eq!(r[1].actual, "1 of 3 lines: line 2: not json at all");
    assert!(o.measurements.iter().any(|m| m.name == "level WARNING"));
}

#[tokio::test]
async fn only_the_end_of_a_large_log_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("ERROR an old error far back\n");
    for i in 0..20_000 {
        text.push_str(&format!("INFO line {i}\n"));
    }
    std::fs::write(dir.path().join("big.log"), text).unwrap();
    let c = check(dir.path(), "    logs: { file: big.log, max_bytes: 4KiB }\n");
    let o = run_at(&c, SystemTime::now()).await.unwrap();
    let r = results(&c, &o);
    assert!(r[0].passed, "{r:?}");
    assert!(o.evidence[0].text.contains("within max_bytes"), "{}", o.evidence[0].text);
    let lines = o.measurements.iter().find(|m| m.name == "lines").unwrap().value;
    assert!(lines > 100.0 && lines < 400.0, "{lines}");
}

#[tokio::test]
async fn a_commands_output_is_read_as_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let c = check(dir.path(), "    logs: { exec: \"echo 'INFO a'; echo 'CRITICAL b'\" }\n    expect: { errors: 1 }\n");
    let o = run_at(&c, SystemTime::now()).await.unwrap();
    let r = results(&c, &o);
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    let c = check(dir.path(), "    logs: { exec: \"exit 4\" }\n");
    let e = run_at(&c, SystemTime::now()).await.unwrap_err();
    assert!(e.message.contains("exit code 4"), "{e}");
    let c = check(dir.path(), "    logs: missing.log\n");
    assert!(run_at(&c, SystemTime::now()).await.unwrap_err().message.contains("missing.log"));
}

#[test]
fn plan_mistakes_are_plan_errors() {
    let load = |yaml: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS).unwrap_err().to_string()
    };
    assert!(load("    logs: { max_bytes: 1KiB }\n").contains("reads nothing"));
    assert!(load("    logs: { file: a, since: yesterday }\n").contains("not a time for `since`"));
    assert!(load("    logs: { file: a, error_pattern: \"(\" }\n").contains("not a valid regex"));
}
