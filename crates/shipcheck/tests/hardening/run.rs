//! One measured `shipcheck verify` run of a generated plan, and what its report says.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use shipcheck_test_support::measure::{self, Measured};

/// Peak RSS any single fault or hostile-file case may reach (MiB).
pub(crate) const RSS_BOUND_MIB: f64 = 160.0;

/// What one run of a one-check plan showed.
pub(crate) struct Outcome {
    pub(crate) measured: Measured,
    pub(crate) report: Value,
    pub(crate) status: String,
    pub(crate) class: String,
}

impl Outcome {
    pub(crate) fn rss_mib(&self) -> f64 {
        self.measured.peak_rss_kib as f64 / 1024.0
    }
    pub(crate) fn wall_s(&self) -> f64 {
        self.measured.wall.as_secs_f64()
    }
    pub(crate) fn message(&self) -> String {
        self.report["checks"][0]["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// Runs `shipcheck verify` on `plan` (written into `dir`) with `args` more, killed after
/// `limit`; reads `dir/out/report.json`.
pub(crate) fn verify(
    dir: &Path,
    plan: &str,
    args: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
) -> Outcome {
    let plan_path = dir.join("plan.yaml");
    std::fs::write(&plan_path, plan).unwrap();
    let out = dir.join("out");
    let mut all = vec![
        "verify",
        plan_path.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--color",
        "never",
    ];
    all.extend_from_slice(args);
    let measured = measure::run(
        Path::new(env!("CARGO_BIN_EXE_shipcheck")),
        &all,
        env,
        limit,
        None,
    );
    assert!(
        !measured.killed,
        "shipcheck did not finish within {limit:?}\n{}",
        String::from_utf8_lossy(&measured.output.stderr)
    );
    let text = std::fs::read_to_string(out.join("report.json")).unwrap_or_else(|e| {
        panic!(
            "no report.json ({e}); exit {:?}\nstdout:\n{}\nstderr:\n{}",
            measured.output.status.code(),
            String::from_utf8_lossy(&measured.output.stdout),
            String::from_utf8_lossy(&measured.output.stderr)
        )
    });
    let report: Value = serde_json::from_str(&text).unwrap();
    let check = &report["checks"][0];
    let status = check["status"].as_str().unwrap_or("?").to_owned();
    let class = check["error"]["class"].as_str().unwrap_or("-").to_owned();
    Outcome {
        measured,
        report,
        status,
        class,
    }
}

/// A one-check plan: `probe` is the check's probe (and expect) YAML, indented under the check.
pub(crate) fn one_check(name: &str, timeout: &str, probe: &str) -> String {
    let body: String = probe.lines().map(|l| format!("    {l}\n")).collect();
    format!("name: fault {name}\nchecks:\n  - id: fault\n    timeout: {timeout}\n{body}")
}

/// Prints the table row of one case.
pub(crate) fn row(case: &str, o: &Outcome, bound: &str) {
    println!(
        "| {case} | {} | {} | {:.2} s | {:.1} MiB | {bound} |",
        o.status,
        o.class,
        o.wall_s(),
        o.rss_mib()
    );
}

/// Asserts the outcome of a fault case: status, class, wall time within `timeout` plus
/// `slack`, peak RSS within [`RSS_BOUND_MIB`]; prints its row.
pub(crate) fn expect(case: &str, o: &Outcome, status: &str, class: &str, timeout: Duration) {
    let slack = Duration::from_millis(1500);
    row(case, o, &format!("timeout {timeout:?}"));
    assert_eq!(
        (o.status.as_str(), o.class.as_str()),
        (status, class),
        "{case}: {}",
        o.report["checks"][0]
    );
    assert!(
        o.measured.wall <= timeout + slack,
        "{case}: took {:?}, the check's timeout is {timeout:?}",
        o.measured.wall
    );
    assert!(
        o.rss_mib() <= RSS_BOUND_MIB,
        "{case}: peak RSS {:.1} MiB",
        o.rss_mib()
    );
    let stderr = String::from_utf8_lossy(&o.measured.output.stderr);
    assert!(!stderr.contains("panicked"), "{case}: {stderr}");
}
