//! `shipcheck diff` on pairs of saved runs: regressed, improved, unchanged.

use serde_json::Value;

use crate::runs::{demo, scratch};
use crate::support::shipcheck;

/// Timings of two live runs on a shared machine differ by noise: a lint check took 76 ms in
/// one run and 288 ms in the next while these tests were written. Tests that compare two
/// live runs and expect *no* regression ignore timing changes under this; they judge
/// statuses, targets, verdict and coverage. The tolerance itself is tested on hand-edited
/// copies of a run (`measurements_beyond_the_tolerance_…`).
const IGNORE_TIMING: [&str; 2] = ["--min-latency-change", "10s"];

fn diff(old: &std::path::Path, new: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = shipcheck(&args, &[], std::path::Path::new("."));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
    )
}

#[test]
fn healthy_then_slow_regresses_and_names_the_latency() {
    let (healthy, slow) = (demo("healthy"), demo("slow"));
    let (code, text) = diff(&healthy.report(), &slow.report(), &[]);
    assert_eq!(code, Some(1), "{text}");
    // The liveness budget (under 200ms) fails against the 300 ms delay: a status change
    // and a measurement beyond the tolerance, with its target.
    assert!(
        text.contains("▼ latency-liveness: passed → failed"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("latency-liveness total:"))
        .unwrap_or_else(|| panic!("no latency-liveness measurement:\n{text}"));
    assert!(
        line.starts_with("  ▼ ") && line.contains("(target"),
        "{line}"
    );
    let (code, md) = diff(&healthy.report(), &slow.report(), &["--format", "md"]);
    assert_eq!(code, Some(1));
    assert!(md.starts_with("# shipcheck diff\n"), "{md}");
    assert!(
        md.contains("| ▼ regressed | `latency-liveness` | passed | failed |"),
        "{md}"
    );
    // The JSON form says the same, from the same model.
    let (_, json) = diff(&healthy.report(), &slow.report(), &["--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["check"] == "latency-liveness" && m["change"] == "regressed"),
        "{json}"
    );
}

#[test]
fn slow_then_healthy_and_drift_then_healthy_improve() {
    let (code, text) = diff(
        &demo("slow").report(),
        &demo("healthy").report(),
        &IGNORE_TIMING,
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("▲ latency-liveness: failed → passed"),
        "{text}"
    );
    assert!(text.contains("\n0 regressed,"), "{text}");
    let (code, text) = diff(
        &demo("schema-drift").report(),
        &demo("healthy").report(),
        &IGNORE_TIMING,
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("▲ schema: failed → passed"), "{text}");
    assert!(text.contains("▲ verdict not ready → ready"), "{text}");
    // Checks that did not run under schema drift run now: coverage went up.
    assert!(text.contains("▲ coverage "), "{text}");
    // And the other way round is a regression, with the same items.
    let (code, text) = diff(
        &demo("healthy").report(),
        &demo("schema-drift").report(),
        &[],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("▼ vehicles: passed → not-run"), "{text}");
    assert!(text.contains("▼ coverage "), "{text}");
}

#[test]
fn a_run_and_its_copy_do_not_differ_and_findings_are_new_or_fixed() {
    let healthy = demo("healthy");
    let dir = scratch("diff-edited");
    let mut report: Value =
        serde_json::from_str(&std::fs::read_to_string(healthy.report()).unwrap()).unwrap();
    // Another run of the same thing: other time, host and run duration.
    report["run"]["started_at"] = "2030-01-01T00:00:00Z".into();
    report["run"]["host"] = "elsewhere".into();
    report["run"]["duration_ms"] = 123_456.0.into();
    let same = dir.join("same.json");
    std::fs::write(&same, serde_json::to_string(&report).unwrap()).unwrap();
    let (code, text) = diff(&healthy.report(), &same, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.trim_end().ends_with("no differences"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
    let (_, md) = diff(&healthy.report(), &same, &["--format", "md"]);
    assert!(md.contains("do not differ"), "{md}");

    // One finding fixed: an improvement, exit 0. One more finding: a regression, exit 1.
    let findings = report["findings"].as_array_mut().unwrap();
    let fixed = findings.remove(0);
    let fewer = dir.join("fewer.json");
    std::fs::write(&fewer, serde_json::to_string(&report).unwrap()).unwrap();
    let (code, text) = diff(&healthy.report(), &fewer, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("fixed findings:"), "{text}");
    assert!(text.contains(fixed["rule"].as_str().unwrap()), "{text}");
    let (code, text) = diff(&fewer, &healthy.report(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("new findings:"), "{text}");
    // A finding that only moved (another line) is neither new nor fixed.
    let mut moved = report.clone();
    moved["findings"].as_array_mut().unwrap().insert(0, {
        let mut f = fixed.clone();
        f["line"] = (f["line"].as_u64().unwrap() + 7).into();
        f
    });
    let moved_path = dir.join("moved.json");
    std::fs::write(&moved_path, serde_json::to_string(&moved).unwrap()).unwrap();
    let (code, text) = diff(&healthy.report(), &moved_path, &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("findings:"), "{text}");
}

#[test]
fn bad_inputs_are_usage_errors() {
    let dir = scratch("diff-bad");
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"not\": \"a report\"}").unwrap();
    let healthy = demo("healthy").report();
    for args in [
        vec!["diff", healthy.to_str().unwrap(), junk.to_str().unwrap()],
        vec![
            "diff",
            healthy.to_str().unwrap(),
            "/nonexistent/report.json",
        ],
    ] {
        let run = shipcheck(&args, &[], &dir);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains("error: "), "{stderr}");
    }
    let run = shipcheck(
        &[
            "diff",
            healthy.to_str().unwrap(),
            healthy.to_str().unwrap(),
            "--tolerance",
            "lots",
        ],
        &[],
        &dir,
    );
    assert_eq!(run.status.code(), Some(2));
}

/// The healthy run with every `ms` measurement of check `id` multiplied by `factor`.
fn scaled(report: &Value, id: &str, factor: f64) -> Value {
    let mut r = report.clone();
    for c in r["checks"].as_array_mut().unwrap() {
        if c["id"] != id {
            continue;
        }
        for m in c["measurements"].as_array_mut().unwrap() {
            if m["unit"] == "ms" {
                m["value"] = (m["value"].as_f64().unwrap() * factor).into();
            }
        }
    }
    r
}

#[test]
fn measurements_beyond_the_tolerance_regress_or_improve() {
    let healthy = demo("healthy");
    let dir = scratch("diff-scaled");
    let base: Value =
        serde_json::from_str(&std::fs::read_to_string(healthy.report()).unwrap()).unwrap();
    // Make the vehicles request take 300 ms in the old run, so changes are well above the
    // 5 ms noise floor.
    let total = |r: &Value| {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "vehicles")
            .unwrap()["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "total")
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let old = scaled(&base, "vehicles", 300.0 / total(&base));
    let write = |name: &str, v: &Value| {
        let p = dir.join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let old_path = write("old.json", &old);
    let cases = [
        // +20%: beyond the default 10%, a regression; within 25%, nothing.
        (
            "slower.json",
            1.2,
            &[][..],
            Some(1),
            "▼ vehicles total: 300 ms → 360 ms (+20%)",
        ),
        (
            "slower.json",
            1.2,
            &["--tolerance", "25%"][..],
            Some(0),
            "no differences",
        ),
        // -50%: an improvement, exit 0.
        (
            "faster.json",
            0.5,
            &[][..],
            Some(0),
            "▲ vehicles total: 300 ms → 150 ms (-50%)",
        ),
        // +5%: within the tolerance.
        ("same.json", 1.05, &[][..], Some(0), "no differences"),
    ];
    for (name, factor, extra, want, line) in cases {
        let new_path = write(name, &scaled(&old, "vehicles", factor));
        let (code, text) = diff(&old_path, &new_path, extra);
        assert_eq!(code, want, "{name} {extra:?}:\n{text}");
        assert!(
            text.contains(line),
            "{name} {extra:?}: no `{line}`:\n{text}"
        );
    }
}
