//! The `drill` kind against real services on loopback: an nginx reloaded mid-drill, an
//! nginx stopped and started again, a Python app server restarted after a directory swap,
//! a fault drill against a real PostgreSQL, and plan mistakes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use shipcheck_plan::kind::Observed;
use shipcheck_plan::{Check, load_str};
use shipcheck_report::AssertionResult;
use shipcheck_test_support::{free_port, listening, skip_or_fail};

use super::DrillFacts;
use crate::KINDS;
use crate::kinds::test_util::check;

const NGINX: &str = "/usr/sbin/nginx";


async fn run(c: &Check) -> (Observed, Vec<AssertionResult>) {
    let o = crate::kinds::test_util::run(c).await.unwrap();
    let r = crate::kinds::test_util::results(c, &o);
    (o, r)
}

fn facts(o: &Observed) -> &DrillFacts {
    o.facts.as_any().downcast_ref().expect("drill facts")
}

fn measured(o: &Observed, name: &str) -> f64 {
    o.measurements
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no measurement {name}: {:?}", o.measurements))
        .value
}

fn timeline(o: &Observed) -> &str {
    &o.evidence[0].text
}

/// An nginx as deployed (a master process and a worker, daemonised), serving `ok` on `/`
/// from its own temporary prefix; stopped through its pid file when dropped. The
/// single-process nginx of `shipcheck_test_support` does not survive `-s reload`.
struct MasterNginx {
    dir: tempfile::TempDir,
    port: u16,
}

impl MasterNginx {
    fn start() -> Option<MasterNginx> {
        if !Path::new(NGINX).is_file() {
            skip_or_fail("nginx");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let d = dir.path().display();
        std::fs::write(
            dir.path().join("nginx.conf"),
            format!(
                "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
                 events {{ worker_connections 256; }}\nhttp {{\n  log_format conn '$connection';\n  access_log {d}/access.log conn;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
                 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
                 server {{ listen 127.0.0.1:{port}; location / {{ return 200 \"ok\\n\"; }} }}\n}}\n"
            ),
        )
        .unwrap();
        let n = MasterNginx { dir, port };
        let ok = Command::new(NGINX).args(n.args()).status().unwrap().success();
        assert!(ok, "nginx: {}", std::fs::read_to_string(n.dir.path().join("error.log")).unwrap_or_default());
        let t0 = Instant::now();
        while !listening(port) && t0.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(n)
    }

    /// `-p PREFIX -c CONF`, for the drill's commands too.
    fn args(&self) -> [String; 4] {
        let d = self.dir.path().display();
        ["-p".into(), d.to_string(), "-c".into(), format!("{d}/nginx.conf")]
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for MasterNginx {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("nginx.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            let t0 = Instant::now();
            while listening(self.port) && t0.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// The connection numbers nginx logged, one per request.
fn connections(nginx: &MasterNginx) -> Vec<String> {
    std::fs::read_to_string(nginx.dir.path().join("access.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn probes_open_a_new_connection_each_unless_told_to_reuse_one() {
    let Some(nginx) = MasterNginx::start() else { return };
    let drill = |reuse: bool| {
        check(&format!(
            "    timeout: 20s\n    drill:\n      probe: \"{}\"\n      every: 20ms\n      reuse: {reuse}\n      baseline: 200ms\n      settle: 200ms\n      run: \"sleep 0.2\"\n    expect: {{ failed_probes: 0 }}\n",
            nginx.url()
        ))
    };
    let (o, r) = run(&drill(false)).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    let fresh = connections(&nginx);
    let mut distinct = fresh.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(fresh.len() as f64, measured(&o, "total_probes"));
    assert_eq!(distinct.len(), fresh.len(), "one connection per probe");
    let (o, r) = run(&drill(true)).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    assert!(timeline(&o).contains("connection reused"));
    let reused: Vec<String> = connections(&nginx).split_off(fresh.len());
    let mut distinct = reused.clone();
    distinct.sort();
    distinct.dedup();
    assert!(reused.len() >= 20, "{}", reused.len());
    // Probes overlap only when one is slow: a few connections at most.
    assert!(distinct.len() <= 3, "{} connections for {} probes", distinct.len(), reused.len());
}

#[tokio::test]
async fn an_nginx_reloaded_mid_drill_has_no_downtime_and_no_failed_probe() {
    let Some(nginx) = MasterNginx::start() else { return };
    let reload = format!("{NGINX} {} -s reload", nginx.args().join(" "));
    let c = check(&format!(
        "    timeout: 20s\n    drill:\n      probe: \"{}\"\n      every: 10ms\n      baseline: 500ms\n      settle: 700ms\n      run: \"{reload} && sleep 0.3 && {reload}\"\n    expect: {{ downtime: {{ at_most: 0s }}, failed_probes: 0 }}\n",
        nginx.url()
    ));
    let (o, r) = run(&c).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}\n{}", timeline(&o));
    assert_eq!(facts(&o).exit_code, Some(0));
    assert!(measured(&o, "total_probes") > 100.0, "{}", timeline(&o));
    assert_eq!(measured(&o, "failed_probes"), 0.0);
    let up = o.series.iter().find(|s| s.name == "up").unwrap();
    assert!(up.points.iter().all(|p| p.value == 1.0), "{up:?}");
}

/// Stops nginx and notes when its port first refuses a connection (t0), sleeps 1.0 s,
/// starts it again and notes when its port first accepts one (t1): the true gap, on the
/// command's own clock, with a tight connect loop as the only observer (sub-millisecond;
/// noting when `nginx` returns instead would add its daemonising and a loaded machine's
/// scheduling to the gap).
const STOP_START: &str = r#"
import os, signal, socket, subprocess, sys, time
nginx, prefix, conf, port, out = sys.argv[1:]
def up():
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=0.05).close()
        return True
    except OSError:
        return False
os.kill(int(open(prefix + "/nginx.pid").read()), signal.SIGTERM)
while up():
    pass
t0 = time.monotonic()
time.sleep(1.0)
started = subprocess.Popen([nginx, "-p", prefix, "-c", conf])
while not up():
    pass
t1 = time.monotonic()
started.wait(timeout=10)
open(out, "w").write(str(t1 - t0))
"#;

#[tokio::test]
async fn an_nginx_stopped_for_a_second_shows_the_gap_within_two_intervals() {
    let Some(nginx) = MasterNginx::start() else { return };
    let d = nginx.dir.path();
    std::fs::write(d.join("stop_start.py"), STOP_START).unwrap();
    let [_, prefix, _, conf] = nginx.args();
    let c = check(&format!(
        "    timeout: 20s\n    drill:\n      probe: \"{}\"\n      every: 10ms\n      probe_timeout: 500ms\n      baseline: 500ms\n      settle: 700ms\n      run: [python3, {}/stop_start.py, {NGINX}, {prefix}, {conf}, \"{}\", {}/gap]\n    expect: {{ time_to_recovery: {{ under: 5s }} }}\n",
        nginx.url(),
        d.display(),
        nginx.port,
        d.display()
    ));
    let (o, r) = run(&c).await;
    let true_gap_ms: f64 =
        std::fs::read_to_string(d.join("gap")).unwrap().trim().parse::<f64>().unwrap() * 1000.0;
    assert!(r.iter().all(|a| a.passed), "{r:?}\n{}", timeline(&o));
    let downtime = measured(&o, "downtime");
    assert!(
        (downtime - true_gap_ms).abs() <= 20.0,
        "measured {downtime} ms, true gap {true_gap_ms} ms\n{}",
        timeline(&o)
    );
    eprintln!("nginx stop/start: measured downtime {downtime:.1} ms, true gap {true_gap_ms:.1} ms");
    // Refused connections, mostly; a probe caught mid-shutdown may see a reset instead.
    let refused = measured(&o, "failed_probes[connect]");
    assert!(refused >= 0.9 * measured(&o, "failed_probes"), "{}", timeline(&o));
    assert!(measured(&o, "time_to_first_error") >= 0.0);
    assert!(timeline(&o).contains("DOWN"), "{}", timeline(&o));
}

#[tokio::test]
async fn a_directory_swap_and_restart_shows_the_downtime_and_the_version_switch() {
    if Command::new("python3").arg("--version").output().is_err() {
        skip_or_fail("python3");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    for v in ["v1", "v2"] {
        std::fs::create_dir_all(r.join("releases").join(v)).unwrap();
        std::fs::write(r.join("releases").join(v).join("VERSION"), v).unwrap();
    }
    std::fs::create_dir_all(r.join("tmp")).unwrap();
    std::os::unix::fs::symlink(r.join("releases/v1"), r.join("current")).unwrap();
    std::fs::write(r.join("server.py"), include_str!("testdata/restart_server.py")).unwrap();
    let port = free_port();
    let mut server = Command::new("python3")
        .arg(r.join("server.py"))
        .arg(r)
        .arg(port.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !listening(port) && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let c = check(&format!(
        "    timeout: 20s\n    drill:\n      probe: \"http://127.0.0.1:{port}/\"\n      every: 10ms\n      baseline: 500ms\n      settle: 1500ms\n      version: {{ header: x-version }}\n      dir: {}\n      run: \"ln -sfn releases/v2 current.new && mv -T current.new current && touch tmp/restart.txt\"\n    expect: {{ time_to_recovery: {{ under: 5s }} }}\n",
        r.display()
    ));
    let (o, res) = run(&c).await;
    let _ = server.kill();
    let _ = server.wait();
    assert!(res.iter().all(|a| a.passed), "{res:?}\n{}", timeline(&o));
    let downtime = measured(&o, "downtime");
    // The server boots for 300 ms with its listener closed.
    assert!((250.0..2000.0).contains(&downtime), "{downtime}\n{}", timeline(&o));
    // The command returns before the server restarts, so v1 may still answer a probe or two.
    assert!(measured(&o, "version_share[v2]") >= 0.95, "{}", timeline(&o));
    assert_eq!(measured(&o, "mixed_version_window"), 0.0);
    let version = o.series.iter().find(|s| s.name == "version").unwrap();
    assert_eq!(version.points.iter().map(|p| p.value).collect::<Vec<_>>(), [0.0, 1.0]);
    assert!(timeline(&o).contains("version v1") && timeline(&o).contains("version v2"));
}

/// A readiness endpoint on loopback: 200 while a TCP connect to `db_port` succeeds, 503
/// otherwise — checked on every request.
async fn readiness(db_port: u16) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                let db = tokio::time::timeout(
                    Duration::from_millis(200),
                    tokio::net::TcpStream::connect(("127.0.0.1", db_port)),
                )
                .await;
                let status = if matches!(db, Ok(Ok(_))) { "200 OK" } else { "503 Service Unavailable" };
                let _ = s
                    .write_all(format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes())
                    .await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_drill_against_postgres_reports_both_transitions() {
    let Some(pg) = shipcheck_test_support::postgres::Postgres::start() else { return };
    let pg_ctl = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap()
        .flatten()
        .map(|e| e.path().join("bin/pg_ctl"))
        .find(|p| p.is_file())
        .unwrap();
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let as_pg = if root { "runuser -u postgres -- " } else { "" };
    let data = pg.dir().join("data");
    let opts = format!(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
        pg.port,
        pg.dir().display()
    );
    let ready = readiness(pg.port).await;
    let c = check(&format!(
        "    timeout: 60s\n    drill:\n      probe: \"http://127.0.0.1:{ready}/ready\"\n      every: 20ms\n      baseline: 300ms\n      settle: 300ms\n      steps:\n        - name: database stopped\n          run: \"{as_pg}{} -D {} -m fast -w stop\"\n          wait_until: {{ status: 503 }}\n          within: 5s\n        - name: database started\n          run: \"{as_pg}{} -D {} -o '{opts}' -l {}/log2 -w start\"\n          wait_until: {{ status: 200 }}\n          within: 30s\n",
        pg_ctl.display(),
        data.display(),
        pg_ctl.display(),
        data.display(),
        pg.dir().display()
    ));
    let (o, r) = run(&c).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}\n{}\n{:?}", timeline(&o), o.evidence);
    let f = facts(&o);
    assert_eq!(f.steps.len(), 2);
    let stopped = f.steps[0].reached_ms.unwrap();
    let started = f.steps[1].reached_ms.unwrap();
    assert!(stopped > 0.0 && stopped < 5000.0, "{stopped}");
    assert!(started > 0.0 && started < 30_000.0, "{started}");
    assert_eq!(measured(&o, "step[database stopped]"), stopped);
    assert_eq!(measured(&o, "step[database started]"), started);
    assert!(measured(&o, "failed_probes[status 503]") >= 1.0);
    drop(pg);
}

#[tokio::test]
async fn a_step_that_never_sees_its_state_fails_the_drill_naming_it() {
    let Some(nginx) = MasterNginx::start() else { return };
    let c = check(&format!(
        "    timeout: 20s\n    drill:\n      probe: \"{}\"\n      every: 20ms\n      baseline: 100ms\n      settle: 100ms\n      steps:\n        - name: goes down\n          wait_until: {{ status: 503 }}\n          within: 300ms\n",
        nginx.url()
    ));
    let (o, r) = run(&c).await;
    assert!(!r[0].passed, "{r:?}");
    assert!(r[0].actual.contains("goes down"), "{}", r[0].actual);
    assert!(facts(&o).steps[0].why.as_deref().unwrap().contains("within 300 ms"));
}

#[tokio::test]
async fn a_failing_command_fails_the_drill_and_its_output_is_evidence() {
    let port = free_port();
    let c = check(&format!(
        "    timeout: 20s\n    drill:\n      probe: tcp://127.0.0.1:{port}\n      every: 50ms\n      baseline: 100ms\n      settle: 100ms\n      run: \"echo deploying; echo broken >&2; exit 4\"\n"
    ));
    let (o, r) = run(&c).await;
    assert!(!r[0].passed);
    assert_eq!(r[0].subject, "exit code");
    assert_eq!(r[0].actual, "4");
    let cmd = o.evidence.iter().find(|e| e.label == "command").unwrap();
    assert!(cmd.text.contains("deploying") && cmd.text.contains("broken"), "{}", cmd.text);
    assert_eq!(measured(&o, "failed_probes"), measured(&o, "total_probes"));
}

#[test]
fn plan_mistakes_are_plan_errors() {
    let load = |yaml: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS)
            .unwrap_err()
            .to_string()
    };
    assert!(load("    drill: { run: ls }\n").contains("nothing to probe"));
    assert!(load("    drill: { probe: \"http://h/\" }\n").contains("nothing to run"));
    assert!(load("    drill: { probe: tcp://h:1, run: ls, up: { status: 200 } }\n").contains("tcp probe is up when it connects"));
    assert!(load("    drill: { probe: \"http://h/\", run: ls, every: 0ms }\n").contains("at least 1ms"));
    assert!(load("    drill: { probe: \"http://h/\", run: ls, up: { latency: 1 } }\n").contains("unknown key `latency`"));
    assert!(load("    drill: { probe: \"http://h/\", run: ls }\n    expect: { status: 200 }\n").contains("does not apply to drill"));
    assert!(load("    drill: { probe: \"http://h/\", steps: [ { name: x } ] }\n").contains("does nothing"));
}
