//! `setup` and `teardown` with real processes: a background command started before the
//! checks and stopped after them (after a failed check, a failed setup, a cancelled run),
//! its temporary directory removed, its output kept as evidence.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shipcheck_report::{CheckResult, Status};
use shipcheck_runner::{Cancel, RunOptions, execute};

fn plan(dir: &Path, yaml: &str) -> shipcheck_plan::Plan {
    shipcheck_plan::load_str(
        yaml,
        &dir.join("plan.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Whether process `pid` is gone (or a zombie), within 3 s.
fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => return true,
            Ok(stat)
                if stat
                    .rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z')) =>
            {
                return true;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    false
}

fn find<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no result {id}: {results:#?}"))
}

/// Setup: a temp dir, a server-like background process (it and a child of its own)
/// writing their pids into the plan's directory; the checks are `CHECKS`.
fn lifecycle_plan(dir: &Path, checks: &str) -> shipcheck_plan::Plan {
    let yaml = format!(
        "name: lifecycle
setup:
  - tempdir: work
  - id: prepare
    shell: \"echo ready > {{{{ work }}}}/state\"
  - id: app
    background: true
    shell: \"echo $$$$ > pids; sleep 60 & echo $$! >> pids; echo app started; echo {{{{ work }}}} > workdir; wait\"
teardown:
  - id: goodbye
    shell: \"echo bye > teardown-ran\"
checks:
{checks}"
    );
    plan(dir, &yaml)
}

fn pids(dir: &Path) -> Vec<u32> {
    std::fs::read_to_string(dir.join("pids"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

fn workdir(dir: &Path) -> PathBuf {
    PathBuf::from(std::fs::read_to_string(dir.join("workdir")).unwrap().trim())
}

#[tokio::test]
async fn a_failed_check_still_tears_everything_down_with_the_output_as_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let p = lifecycle_plan(
        dir.path(),
        "  - id: state
    exec: \"cat {{ work }}/state\"
    expect: { stdout: { contains: ready } }
  - id: broken
    exec: \"exit 3\"
",
    );
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |_| {}).await;
    let ids: Vec<&str> = out.checks.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "setup-1",
            "prepare",
            "app",
            "state",
            "broken",
            "goodbye",
            "stop-app",
            "remove-work"
        ]
    );
    assert_eq!(
        find(&out.checks, "state").status,
        Status::Passed,
        "{:#?}",
        find(&out.checks, "state")
    );
    assert_eq!(find(&out.checks, "broken").status, Status::Failed);
    for pid in pids(dir.path()) {
        assert!(gone(pid), "process {pid} survived the teardown");
    }
    assert!(
        !workdir(dir.path()).exists(),
        "the temporary directory was not removed"
    );
    assert!(dir.path().join("teardown-ran").exists());
    let stop = find(&out.checks, "stop-app");
    assert_eq!(stop.kind, "teardown");
    assert!(
        stop.evidence[0].text.contains("app started"),
        "{}",
        stop.evidence[0].text
    );
    assert!(
        stop.evidence[0].text.contains("stopped by SIGTERM"),
        "{}",
        stop.evidence[0].text
    );
}

#[tokio::test]
async fn a_failed_setup_makes_every_check_not_run_and_still_tears_down() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "name: t
setup:
  - tempdir: work
  - id: app
    background: true
    shell: \"echo $$$$ > pids; exec sleep 60\"
  - id: migrate
    shell: \"echo 'no such table' >&2; exit 2\"
checks:
  - id: health
    exec: \"true\"
";
    let out = execute(
        &plan(dir.path(), yaml),
        &RunOptions::default(),
        &Cancel::default(),
        |_| {},
    )
    .await;
    let migrate = find(&out.checks, "migrate");
    assert_eq!(migrate.status, Status::Failed);
    assert!(migrate.evidence[0].text.contains("no such table"));
    let health = find(&out.checks, "health");
    assert_eq!(health.status, Status::NotRun);
    assert_eq!(
        health.reason.as_deref(),
        Some("setup step `migrate` failed: exit code: expected 0, got 2")
    );
    assert!(gone(pids(dir.path())[0]));
    assert_eq!(find(&out.checks, "remove-work").status, Status::Passed);
}

#[tokio::test]
async fn a_cancelled_run_tears_down_what_setup_started() {
    let dir = tempfile::tempdir().unwrap();
    let p = lifecycle_plan(
        dir.path(),
        "  - id: slow\n    timeout: 30s\n    exec: [sleep, \"30\"]\n",
    );
    let cancel = Cancel::default();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        c2.cancel("interrupted by Ctrl-C");
    });
    let t0 = Instant::now();
    let out = execute(&p, &RunOptions::default(), &cancel, |_| {}).await;
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_eq!(out.interrupted.as_deref(), Some("interrupted by Ctrl-C"));
    assert_eq!(find(&out.checks, "slow").status, Status::NotRun);
    for pid in pids(dir.path()) {
        assert!(gone(pid), "process {pid} survived the cancelled run");
    }
    assert!(!workdir(dir.path()).exists());
    assert!(dir.path().join("teardown-ran").exists());
}

#[test]
fn step_mistakes_are_plan_errors() {
    let load = |yaml: &str| {
        shipcheck_plan::load_str(
            yaml,
            Path::new("plan.yaml"),
            &|_| None,
            shipcheck_probe::KINDS,
        )
        .unwrap_err()
        .to_string()
    };
    let e = load(
        "name: t\nsetup:\n  - shell: \"echo {{ nope }}\"\nchecks:\n  - id: c\n    exec: \"true\"\n",
    );
    assert!(
        e.contains("undefined variable `nope` in step `setup-1`"),
        "{e}"
    );
    let e = load(
        "name: t\nsetup:\n  - { shell: x, command: [y] }\nchecks:\n  - id: c\n    exec: \"true\"\n",
    );
    assert!(e.contains("does exactly one thing"), "{e}");
    let e = load(
        "name: t\nteardown:\n  - { shell: x, background: true }\nchecks:\n  - id: c\n    exec: \"true\"\n",
    );
    assert!(e.contains("cannot run in the background"), "{e}");
    // A temporary directory is a variable the checks may use.
    let ok = shipcheck_plan::load_str(
        "name: t\nsetup:\n  - tempdir: work\nchecks:\n  - id: c\n    exec: \"ls {{ work }}\"\n",
        Path::new("plan.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    );
    assert!(ok.is_ok());
}
