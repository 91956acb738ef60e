//! Saved runs shared by the tests: each demo scenario and a lint run, produced once per
//! test binary into `CARGO_TARGET_TMPDIR` (report files and an evidence bundle each).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use crate::support::shipcheck;

/// A finished run: its output directory (report files, `bundle.tar.gz`) and exit code.
pub(crate) struct Run {
    pub(crate) dir: PathBuf,
    pub(crate) code: Option<i32>,
}

impl Run {
    pub(crate) fn report(&self) -> PathBuf {
        self.dir.join("report.json")
    }
    pub(crate) fn bundle(&self) -> PathBuf {
        self.dir.join("bundle.tar.gz")
    }
}

/// A fresh directory under the target's temporary directory.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("reports-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn check_written(name: &str, run: &Output, dir: &Path) {
    assert!(
        dir.join("report.json").is_file() && dir.join("bundle.tar.gz").is_file(),
        "{name}: report or bundle not written\n{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

fn demo_run(scenario: &str) -> Run {
    // One demo at a time: three at once on a small machine make their timings noisy.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = scratch(&format!("demo-{scenario}"));
    let out = dir.join("out");
    let bundle = out.join("bundle.tar.gz");
    let run = shipcheck(
        &[
            "demo",
            "--scenario",
            scenario,
            "--output",
            out.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--quiet",
        ],
        &[("GITHUB_STEP_SUMMARY", "")],
        &dir,
    );
    check_written(scenario, &run, &out);
    Run {
        dir: out,
        code: run.status.code(),
    }
}

/// `shipcheck demo --scenario SCENARIO` (healthy, slow or schema-drift), run once.
pub(crate) fn demo(scenario: &str) -> &'static Run {
    static HEALTHY: OnceLock<Run> = OnceLock::new();
    static SLOW: OnceLock<Run> = OnceLock::new();
    static DRIFT: OnceLock<Run> = OnceLock::new();
    let cell = match scenario {
        "healthy" => &HEALTHY,
        "slow" => &SLOW,
        "schema-drift" => &DRIFT,
        other => panic!("no saved run for {other}"),
    };
    cell.get_or_init(|| demo_run(scenario))
}

/// A Kubernetes manifest with an error-level finding and a Dockerfile with warnings.
pub(crate) const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          securityContext: { privileged: true }\n";
pub(crate) const DOCKERFILE: &str = "FROM python:3.12\nRUN pip install flask\nCMD python app.py\n";

/// `shipcheck lint` of a small project with findings, run once (report files and a bundle).
pub(crate) fn lint() -> &'static Run {
    static LINT: OnceLock<Run> = OnceLock::new();
    LINT.get_or_init(|| {
        let dir = scratch("lint");
        let project = dir.join("project");
        std::fs::create_dir_all(project.join("deploy")).unwrap();
        std::fs::write(project.join("deploy/web.yaml"), DEPLOY).unwrap();
        std::fs::write(project.join("Dockerfile"), DOCKERFILE).unwrap();
        let out = dir.join("out");
        let run = shipcheck(
            &[
                "lint",
                ".",
                "--output",
                out.to_str().unwrap(),
                "--bundle",
                out.join("bundle.tar.gz").to_str().unwrap(),
            ],
            &[("GITHUB_STEP_SUMMARY", "")],
            &project,
        );
        check_written("lint", &run, &out);
        Run {
            dir: out,
            code: run.status.code(),
        }
    })
}

/// Runs `python3 -c SCRIPT ARGS…`; `None` (after `skip_or_fail`) when python3 or the
/// module is missing.
pub(crate) fn python(script: &str, module: &str, args: &[&str]) -> Option<Output> {
    let probe = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        shipcheck_test_support::skip_or_fail(&format!("python3 with {module}"));
        return None;
    }
    Some(
        std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .args(args)
            .output()
            .unwrap(),
    )
}
