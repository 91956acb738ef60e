//! Issue 18.9: a `lint:` check whose walk does not finish (here a FIFO nobody writes to)
//! is abandoned at its timeout, and the run — including shutting its runtime down, as
//! `shipcheck verify` does — ends in time, reporting the check's true duration.

#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use shipcheck_report::{FailureClass, Status};
use shipcheck_runner::{Cancel, RunOptions, execute};

#[test]
fn a_lint_walk_that_outlives_its_timeout_is_abandoned() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stuck.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let src = "name: t\nchecks:\n  - id: lint\n    timeout: 1s\n    lint: stuck.yaml\n";
    let plan = shipcheck_plan::load_str(src, &dir.path().join("plan.yaml"), &|_| None).unwrap();
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
        .expect("the run did not end within 10 s of a 1 s lint timeout");
    let wall = started.elapsed();
    let c = &out.checks[0];
    assert_eq!(c.status, Status::Error, "{c:?}");
    assert_eq!(
        c.error.as_ref().map(|e| e.class),
        Some(FailureClass::Timeout)
    );
    // The reported duration is the real one, and the run really ended then.
    assert!(
        c.duration_ms >= 1000.0 && c.duration_ms < 3000.0,
        "{}",
        c.duration_ms
    );
    assert!(wall < Duration::from_secs(5), "{wall:?}");
    drop(dir);
}
