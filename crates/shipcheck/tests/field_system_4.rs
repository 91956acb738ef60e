//! `examples/field-system-4` end to end: `build.py` makes the package exactly as FIELD.md
//! system 4 ships it (deploy.zip, checksum, build_info.json, vendored packages, seeded
//! SQLite, a "deployed" copy), and `shipcheck verify` starts the app from the zip with
//! `setup`, checks it, and tears it down. The good build is ready; the broken one (zip
//! changed after its checksum, one vendored version off, an ERROR in the log) is not,
//! naming each defect. A second part interrupts a run with SIGINT and finds nothing left
//! running and no temporary directory left behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

const SECRET_KEY: &str = "fs4-Secret-Key-0123456789";
const ADMIN_PASSWORD: &str = "fs4-Adm1n-Pa55word";
const COMMIT: &str = "4f3c2b1a";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/field-system-4")
}

fn python() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        shipcheck_test_support::skip_or_fail("python3");
    }
    ok
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn build(out: &Path, broken: bool) {
    let mut cmd = Command::new("python3");
    cmd.arg(example().join("build.py")).arg("--out").arg(out);
    if broken {
        cmd.arg("--broken");
    }
    let o = cmd
        .env("GIT_COMMIT", COMMIT)
        .env("APP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "build.py failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn env<'a>(dist: &'a str, port: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("DIST", dist),
        ("APP_PORT", port),
        ("APP_SECRET_KEY", SECRET_KEY),
        ("APP_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("GIT_COMMIT", COMMIT),
    ]
}

fn verify(dist: &Path, out: &Path) -> (i32, Value, String) {
    let port = free_port().to_string();
    let plan = example().join("plan.yaml");
    let dist = dist.to_str().unwrap().to_owned();
    let run = support::shipcheck(
        &[
            "verify",
            plan.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &env(&dist, &port),
        out.parent().unwrap(),
    );
    let mut all = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    for entry in std::fs::read_dir(out).unwrap() {
        all.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|_| panic!("{all}")),
    )
    .unwrap();
    // Nothing listens on the app's port any more: the teardown stopped it.
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).is_err(),
        "the app still runs"
    );
    (run.status.code().unwrap_or(-1), report, all)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn field_system_4_good_package_is_ready_and_broken_one_names_each_defect() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    build(&dir.path().join("good"), false);
    let (code, report, all) = verify(&dir.path().join("good"), &dir.path().join("good-report"));
    assert_eq!(report["verdict"]["status"], "ready", "{all}");
    assert_eq!(code, 0);
    for id in [
        "unpack",
        "app",
        "package",
        "ready",
        "health-fast",
        "cookies-and-headers",
        "parity",
        "logs",
        "insecure-defaults-refused",
        "stop-app",
        "remove-run",
    ] {
        assert_eq!(check(&report, id)["status"], "passed", "{id}: {all}");
    }
    let refused = check(&report, "insecure-defaults-refused").to_string();
    assert!(
        refused.contains("refusing to start in production"),
        "{refused}"
    );
    for secret in [SECRET_KEY, ADMIN_PASSWORD] {
        assert!(!all.contains(secret), "a secret leaked into the output");
    }

    build(&dir.path().join("broken"), true);
    let (code, report, all) = verify(
        &dir.path().join("broken"),
        &dir.path().join("broken-report"),
    );
    assert_eq!(code, 1, "{all}");
    assert_eq!(report["verdict"]["status"], "not-ready");
    let package = check(&report, "package").to_string();
    assert_eq!(check(&report, "package")["status"], "failed");
    assert!(
        package.contains("mismatch: deploy.zip has sha256"),
        "{package}"
    );
    assert!(
        package.contains("wrong version: health-checks 0.3.2 vendored, 0.3.1 pinned"),
        "{package}"
    );
    let logs = check(&report, "logs").to_string();
    assert_eq!(check(&report, "logs")["status"], "failed");
    assert!(
        logs.contains("1 of")
            && logs.contains("cache directory /nonexistent/field-system-4-cache is missing"),
        "{logs}"
    );
    // Nothing else is blamed: the app still serves, parity and the refusal still hold.
    for id in [
        "ready",
        "cookies-and-headers",
        "parity",
        "insecure-defaults-refused",
        "stop-app",
        "remove-run",
    ] {
        assert_eq!(check(&report, id)["status"], "passed", "{id}: {all}");
    }
    for secret in [SECRET_KEY, ADMIN_PASSWORD] {
        assert!(!all.contains(secret), "a secret leaked into the output");
    }
}

/// Whether process `pid` is gone (or a zombie), within 5 s.
fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
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

#[test]
fn sigint_during_a_run_still_tears_down() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.yaml");
    std::fs::write(
        &plan,
        "name: interrupted
setup:
  - tempdir: work
  - id: app
    background: true
    shell: \"echo $$$$ > pids; sleep 120 & echo $$! >> pids; echo {{ work }} > workdir; wait\"
teardown:
  - id: goodbye
    shell: \"echo bye > teardown-ran\"
checks:
  - id: slow
    timeout: 60s
    exec: [sleep, \"60\"]
",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args([
            "verify",
            plan.to_str().unwrap(),
            "--output",
            dir.path().join("out").to_str().unwrap(),
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the background app, then for the check to be running.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.path().join("workdir").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let pids: Vec<u32> = std::fs::read_to_string(dir.path().join("pids"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    let workdir = PathBuf::from(
        std::fs::read_to_string(dir.path().join("workdir"))
            .unwrap()
            .trim(),
    );
    assert!(workdir.is_dir());
    let t0 = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut exited = None;
    while t0.elapsed() < Duration::from_secs(20) {
        if let Some(s) = child.try_wait().unwrap() {
            exited = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let Some(status) = exited else {
        let _ = child.kill();
        panic!("shipcheck did not stop within 20 s of SIGINT");
    };
    let out = child.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(status.code(), Some(1), "{all}");
    for pid in pids {
        assert!(gone(pid), "process {pid} survived SIGINT");
    }
    assert!(!workdir.exists(), "{} was not removed", workdir.display());
    assert!(dir.path().join("teardown-ran").exists(), "{all}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(check(&report, "slow")["status"], "not-run");
    assert_eq!(check(&report, "stop-app")["status"], "passed");
}
