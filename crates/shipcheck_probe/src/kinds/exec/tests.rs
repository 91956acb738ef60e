//! The `exec` kind against real commands: exit codes, output bounds, timeouts that kill,
//! a background process that holds the output open, JSON on stdout and captures.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use shipcheck_plan::kind::Observed;
use shipcheck_plan::load_str;
use shipcheck_report::FailureClass;

use super::ExecFacts;
use crate::{KINDS, capture};
use crate::kinds::test_util::{check, results, run};



fn facts(o: &Observed) -> &ExecFacts {
    o.facts.as_any().downcast_ref().expect("exec facts")
}


#[tokio::test]
async fn exit_code_zero_is_implied_and_output_is_read() {
    let c = check("    exec: \"echo hello; echo oops >&2\"\n    expect: { stdout: { contains: hello }, stderr: { contains: oops } }\n");
    let o = run(&c).await.unwrap();
    let r = results(&c, &o);
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0].subject, "exit code");
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    assert!(o.evidence[0].text.contains("$ sh -c"), "{}", o.evidence[0].text);
}

#[tokio::test]
async fn a_failing_command_fails_the_check_naming_its_code_and_stderr() {
    let c = check("    exec: [sh, -c, \"echo broken >&2; exit 3\"]\n");
    let o = run(&c).await.unwrap();
    let r = results(&c, &o);
    assert!(!r[0].passed);
    assert_eq!(r[0].actual, "3 (stderr: broken)");
}

#[tokio::test]
async fn a_command_past_its_timeout_is_killed_and_is_a_timeout_error() {
    let c = check("    timeout: 300ms\n    exec: [sleep, \"5\"]\n");
    let t0 = Instant::now();
    let e = run(&c).await.expect_err("sleep 5 outlives 300ms");
    assert_eq!(e.class, FailureClass::Timeout, "{e}");
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn a_background_process_holding_the_output_does_not_hang_the_check() {
    let c = check("    timeout: 400ms\n    exec: \"sleep 5 & echo started\"\n");
    let t0 = Instant::now();
    let e = run(&c).await.expect_err("the output stays open");
    assert_eq!(e.class, FailureClass::Timeout, "{e}");
    assert!(e.message.contains("still holds its output"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn output_beyond_max_output_is_drained_and_counted_not_kept() {
    let c = check(
        "    exec: { shell: \"head -c 5000000 /dev/zero | tr '\\\\0' x\", max_output: 1KiB }\n",
    );
    let o = run(&c).await.unwrap();
    let f = facts(&o);
    assert_eq!((f.stdout.len(), f.stdout_bytes), (1024, 5_000_000));
    assert!(f.stdout_cut);
    assert!(o.evidence[0].truncated || o.evidence[0].text.contains("(cut)"));
}

#[tokio::test]
async fn json_on_stdout_is_queried_and_captured() {
    let c = check(
        "    exec: { command: [printf, '{\"id\": 7, \"ok\": true}'], env: { UNUSED: x } }\n    expect: { json: { \"$.ok\": true } }\n    capture: { id: \"$.id\" }\n",
    );
    let o = run(&c).await.unwrap();
    assert!(results(&c, &o).iter().all(|a| a.passed));
    let captured = capture(&c.capture, o.facts.as_ref()).unwrap();
    assert_eq!(captured, vec![("id".to_owned(), json!(7))]);
}

#[tokio::test]
async fn stdin_and_environment_reach_the_command() {
    let c = check(
        "    exec: { shell: \"read line; echo \\\"$line $GREETING\\\"\", stdin: \"hello\\n\", env: { GREETING: world } }\n    expect: { stdout: \"hello world\\n\" }\n",
    );
    let o = run(&c).await.unwrap();
    let r = results(&c, &o);
    assert!(r.iter().all(|a| a.passed), "{r:?}");
}

#[tokio::test]
async fn a_missing_program_cannot_run() {
    let c = check("    exec: [/nonexistent/shipcheck-program]\n");
    let e = run(&c).await.expect_err("no such program");
    assert_eq!(e.class, FailureClass::Connect);
    assert!(e.message.contains("/nonexistent/shipcheck-program"), "{e}");
}

#[test]
fn plan_mistakes_are_plan_errors() {
    let load = |yaml: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS)
            .unwrap_err()
            .to_string()
    };
    assert!(load("    exec: []\n").contains("the command is empty"));
    assert!(load("    exec: { command: [ls], shell: ls }\n").contains("either `command` or `shell`"));
    assert!(load("    exec: { dir: . }\n").contains("nothing to run"));
    assert!(load("    exec: ls\n    expect: { status: 200 }\n").contains("does not apply to exec"));
}

/// Whether process `pid` is gone (or a zombie waiting for its reaper), within 3 s.
fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat) if stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')) => return true,
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    false
}

#[tokio::test]
async fn a_timeout_kills_the_whole_process_group_leaving_no_orphan() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("grandchild.pid");
    // The shell starts a grandchild that ignores the shell's death, then waits.
    let c = check(&format!(
        "    timeout: 500ms\n    exec: \"sleep 30 & echo $! > {}; wait\"\n",
        pidfile.display()
    ));
    let e = run(&c).await.expect_err("the command outlives its timeout");
    assert_eq!(e.class, FailureClass::Timeout, "{e}");
    let pid: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    assert!(gone(pid), "the grandchild sleep ({pid}) survived the timeout");
}

#[tokio::test]
async fn a_cancelled_check_kills_its_command() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("child.pid");
    let c = check(&format!(
        "    timeout: 30s\n    exec: \"echo $$$$ > {}; exec sleep 30\"\n",
        pidfile.display()
    ));
    // The runner cancels a check by dropping its future, as Ctrl-C does.
    let dropped = tokio::time::timeout(Duration::from_millis(500), run(&c)).await;
    assert!(dropped.is_err(), "sleep 30 ended early");
    let pid: u32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    assert!(gone(pid), "the command ({pid}) survived its cancelled check");
}
