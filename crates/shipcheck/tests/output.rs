//! Output discipline for every command (issue 8 part 6, issue 18 items 12, 15, 17 and
//! 8c): a closed stdout is exit 0; an unwritable `--output` is exit 2 with stdout still
//! printed; report files never follow a planted symlink; `report FILE` and `--config FILE`
//! refuse FIFOs and devices instead of blocking or reading forever.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::shipcheck;

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          securityContext: { privileged: true }\n          env: [{ name: DB_PASSWORD, value: \"hunter2-but-longer\" }]\n";
const DOCKERFILE: &str = "FROM python:3.12\nRUN pip install flask\nCMD python app.py\n";
const TINY_PLAN: &str = "name: tiny\nchecks:\n  - id: later\n    skip: not deployed yet\n    http: { get: \"http://127.0.0.1:9/\" }\n";

/// A directory with a Kubernetes manifest and a Dockerfile that have findings.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("deploy")).unwrap();
    std::fs::write(dir.path().join("deploy/web.yaml"), DEPLOY).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(dir.path().join("plan.yaml"), TINY_PLAN).unwrap();
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Spawns shipcheck with its stdout pipe already closed by the reader (`| head -0`).
fn exit_with_closed_stdout(args: &[&str], cwd: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_is_exit_0_for_every_command() {
    let dir = project();
    let ok = shipcheck(
        &["verify", "plan.yaml", "--format", "json"],
        &[],
        dir.path(),
    );
    std::fs::write(dir.path().join("run.json"), &ok.stdout).unwrap();
    for args in [
        &["lint", ".", "--format", "human"][..],
        &["lint", ".", "--format", "sarif"],
        &["report", "run.json", "--format", "md"],
        &["report", "run.json", "--format", "terminal"],
        &["verify", "plan.yaml", "--format", "terminal", "--quiet"],
        &["verify", "plan.yaml", "--format", "json", "--quiet"],
        &["rules"],
    ] {
        let (code, stderr) = exit_with_closed_stdout(args, dir.path());
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_unwritable_output_is_exit_2_naming_the_path_and_stdout_is_still_printed() {
    let dir = project();
    // A regular file where the output directory should be: not writable as a directory,
    // even for root.
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    let out = shipcheck(
        &[
            "verify",
            "plan.yaml",
            "--format",
            "json",
            "--output",
            "blocker/reports",
        ],
        &[],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("blocker/reports"),
        "names the path: {stderr}"
    );
    let printed: Value = serde_json::from_str(&stdout(&out)).expect("stdout still printed");
    assert!(printed.get("verdict").is_some());

    std::fs::write(dir.path().join("run.json"), &out.stdout).unwrap();
    let out = shipcheck(
        &["report", "run.json", "--output", "blocker/report.md"],
        &[],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("blocker/report.md"), "{stderr}");
}

#[test]
fn a_planted_report_symlink_is_replaced_not_followed() {
    let dir = project();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("precious.txt");
    std::fs::write(&victim, "do not overwrite").unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    for name in ["report.json", "report.md", "junit.xml"] {
        std::os::unix::fs::symlink(&victim, dir.path().join("out").join(name)).unwrap();
    }
    let out = shipcheck(
        &["verify", "plan.yaml", "--output", "out", "--quiet"],
        &[],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "do not overwrite"
    );
    let written = dir.path().join("out/report.json");
    assert!(
        !std::fs::symlink_metadata(&written)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(written).unwrap()).unwrap();
    assert_eq!(report["run"]["command"], "verify");
}

/// Runs shipcheck, killing it after `limit`; returns its exit code and stderr, or `None`
/// when it had to be killed.
fn run_bounded(args: &[&str], cwd: &Path, limit: Duration) -> Option<(Option<i32>, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return Some((status.code(), stderr));
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn report_and_config_refuse_fifos_and_devices_quickly() {
    let dir = project();
    let fifo = dir.path().join("run.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    for args in [
        &["report", fifo][..],
        &["report", "/dev/zero"],
        &["lint", ".", "--config", fifo],
        &["lint", ".", "--config", "/dev/zero"],
    ] {
        let Some((code, stderr)) = run_bounded(args, dir.path(), Duration::from_secs(10)) else {
            panic!("{args:?} did not finish within 10 s");
        };
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
}

#[test]
fn report_reads_at_most_its_limit() {
    let dir = project();
    // A sparse file just over the 64 MiB limit: refused without being read whole.
    let big = std::fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(64 * 1024 * 1024 + 1).unwrap();
    let out = shipcheck(&["report", "big.json"], &[], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than the limit"), "{stderr}");
}

/// Issue 9.11: `verify` writes its report to `./shipcheck-report` by default, as `demo`
/// does, and says where; `--output -` and `--no-report` write nothing.
#[test]
fn issue9_11_verify_writes_the_report_to_shipcheck_report_by_default() {
    let dir = project();
    let out = shipcheck(&["verify", "plan.yaml"], &[], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("report written to shipcheck-report"),
        "says where: {stderr}"
    );
    for name in ["report.md", "report.json", "junit.xml"] {
        assert!(
            dir.path().join("shipcheck-report").join(name).is_file(),
            "{name} written"
        );
    }

    for skip in [&["--output", "-"][..], &["--no-report"][..]] {
        let dir = project();
        let mut args = vec!["verify", "plan.yaml"];
        args.extend_from_slice(skip);
        let out = shipcheck(&args, &[], dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{skip:?}: {stderr}");
        assert!(!stderr.contains("report written"), "{skip:?}: {stderr}");
        assert!(
            !dir.path().join("shipcheck-report").exists(),
            "{skip:?} writes no files"
        );
        assert!(
            !dir.path().join("-").exists(),
            "`-` is not a directory name"
        );
    }
}
