//! `shipcheck drill` end to end: a drill through the binary writes its timeline into
//! report.json, and a real SIGINT mid-drill stops the command and still writes the report,
//! marked interrupted.

#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.contains(") Z "))
}

#[test]
fn a_drill_writes_its_measurements_and_timeline_into_the_report() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args([
            "drill",
            "--probe",
            &format!("tcp://{addr}"),
            "--every",
            "20ms",
        ])
        .args([
            "--baseline",
            "200ms",
            "--settle",
            "200ms",
            "--max-downtime",
            "0s",
            "--quiet",
        ])
        .args([
            "--output",
            out.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "echo '${HOME} {{ x }}'; sleep 0.2",
        ])
        .output()
        .unwrap();
    drop(listener);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let check = &report["checks"][0];
    assert_eq!(check["kind"], "drill");
    assert_eq!(check["status"], "passed");
    let m = |name: &str| {
        check["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(m("downtime"), 0.0);
    assert!(m("total_probes") >= 20.0, "{}", m("total_probes"));
    let series: Vec<&str> = check["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(series, ["up", "latency"]);
    // What the user typed after `--` is run as typed, never read as plan syntax.
    let evidence = check["evidence"].to_string();
    assert!(evidence.contains("${HOME} {{ x }}"), "{evidence}");
}

#[test]
fn ctrl_c_mid_drill_stops_the_command_and_writes_the_report_marked_interrupted() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let pidfile = dir.path().join("pid");
    let child = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args([
            "drill",
            "--probe",
            &format!("tcp://{addr}"),
            "--every",
            "20ms",
        ])
        .args(["--baseline", "200ms", "--settle", "200ms", "--quiet"])
        .args(["--output", out.to_str().unwrap(), "--", "sh", "-c"])
        .arg(format!("echo $$ > {}; exec sleep 30", pidfile.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !pidfile.exists() && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_owned();
    assert!(alive(&pid), "the command runs");
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "Ctrl-C must stop the drill promptly"
    );
    assert_eq!(output.status.code(), Some(1), "an interrupted run exits 1");
    assert!(!alive(&pid), "the command {pid} outlived the drill");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["run"]["interrupted"], true);
    let check = &report["checks"][0];
    assert_eq!(check["status"], "not-run");
    // The drill wound down: its partial timeline is in the report, the command's end named.
    let total = check["measurements"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "total_probes"))
        .and_then(|m| m["value"].as_f64())
        .unwrap_or_default();
    assert!(total >= 10.0, "at 20 ms over > 300 ms: {check}");
    let evidence = check["evidence"].to_string();
    assert!(evidence.contains("timeline"), "{evidence}");
    assert!(evidence.contains("the run was interrupted"), "{evidence}");
    assert!(out.join("report.md").is_file());
    drop(listener);
}

/// `demo --serve` lets a user try `shipcheck drill` by hand: `POST /admin/upgrade` restarts
/// the service into the next version, and the drill measures the gap and the switch.
#[test]
fn a_drill_by_hand_against_the_demo_upgrade_endpoint() {
    use std::io::{BufRead as _, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut demo = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args(["demo", "--serve"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = BufReader::new(demo.stdout.take().unwrap())
        .lines()
        .take(4)
        .map_while(Result::ok)
        .find_map(|l| {
            l.trim_start()
                .strip_prefix("http:")
                .map(|u| u.trim().to_owned())
        })
        .unwrap();
    let upgrade = format!(
        "import urllib.request; urllib.request.urlopen(urllib.request.Request('{http}/admin/upgrade', method='POST'), timeout=5)"
    );
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args([
            "drill",
            "--probe",
            &format!("{http}/health/live"),
            "--every",
            "10ms",
        ])
        .args([
            "--baseline",
            "300ms",
            "--settle",
            "800ms",
            "--version-header",
            "x-demo-version",
        ])
        .args([
            "--quiet",
            "--output",
            out.to_str().unwrap(),
            "--",
            "python3",
            "-c",
            &upgrade,
        ])
        .output()
        .unwrap();
    let _ = demo.kill();
    let _ = demo.wait();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let measurements = report["checks"][0]["measurements"]
        .as_array()
        .unwrap()
        .clone();
    let m = |name: &str| {
        measurements
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {measurements:?}"))["value"]
            .as_f64()
            .unwrap()
    };
    assert!((150.0..1000.0).contains(&m("downtime")), "{measurements:?}");
    // The upgrade answers 202 before it restarts: v1 may answer a probe or two after it.
    assert!(m("version_share[v2]") >= 0.9, "{measurements:?}");
    assert_eq!(m("mixed_version_window"), 0.0);
}
