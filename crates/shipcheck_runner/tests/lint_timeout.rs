//! Issue 18.9: a `lint:` check whose walk outlives its timeout is abandoned at the
//! timeout, and the run — including shutting its runtime down, as `shipcheck verify`
//! does — ends in time, reporting the check's true duration. A FIFO given as a lint path
//! (which used to block the walk forever) is refused at once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::sync::mpsc;
use std::time::{Duration, Instant};

use shipcheck_report::{FailureClass, Status};
use shipcheck_runner::{Cancel, RunOptions, execute};

/// Runs a one-check plan in its own runtime, as `verify` does, and returns its result
/// with the wall time of the whole run (runtime shutdown included).
fn run_alone(dir: &std::path::Path, src: &str) -> (shipcheck_report::CheckResult, Duration) {
    let plan = shipcheck_plan::load_str(
        src,
        &dir.join("plan.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let out = runtime.block_on(execute(
            &plan,
            &RunOptions::default(),
            &Cancel::default(),
            |_| {},
        ));
        // Dropping the runtime is part of the run: it must not wait for the walk.
        drop(runtime);
        let _ = tx.send(out);
    });
    let out = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the run did not end within 10 s of its lint timeout");
    (out.checks[0].clone(), started.elapsed())
}

#[test]
fn a_lint_walk_that_outlives_its_timeout_is_abandoned() {
    // The linter's own fixtures (about 200 files) take far longer than 1 ms to lint.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../shipcheck_lint/resources");
    let dir = tempfile::tempdir().unwrap();
    let src = format!("name: t\nchecks:\n  - id: lint\n    timeout: 1ms\n    lint: {fixtures}\n");
    let (c, wall) = run_alone(dir.path(), &src);
    let c = &c;
    assert_eq!(c.status, Status::Error, "{c:?}");
    assert_eq!(
        c.error.as_ref().map(|e| e.class),
        Some(FailureClass::Timeout)
    );
    // The reported duration is the real one, and the run really ended then.
    assert!(
        c.duration_ms >= 1.0 && c.duration_ms < 3000.0,
        "{}",
        c.duration_ms
    );
    assert!(wall < Duration::from_secs(5), "{wall:?}");
}

#[test]
fn a_fifo_lint_path_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stuck.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let src = "name: t\nchecks:\n  - id: lint\n    timeout: 5s\n    lint: stuck.yaml\n";
    let (c, wall) = run_alone(dir.path(), src);
    assert_eq!(c.status, Status::Error, "{c:?}");
    let message = c
        .error
        .as_ref()
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert!(message.contains("stuck.yaml"), "{message}");
    assert!(wall < Duration::from_secs(3), "{wall:?}");
}
