//! Hostile files for `verify` (as the plan) and `lint` (as a manifest): alias bombs, deep
//! nesting, a 200 MB file, binary, invalid UTF-8, a FIFO, a symlink loop, an unreadable file,
//! a directory where a file is expected. Each must end with a clear error or finding, within
//! bounded time and memory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_test_support::measure::{self, Measured};

use crate::run::RSS_BOUND_MIB;

/// Wall-time bound of any hostile-file case (the 200 MB file included).
const WALL_BOUND: Duration = Duration::from_secs(10);

/// A billion-laughs document: 9 levels of 9 aliases each (9⁹ ≈ 387 million nodes).
fn alias_bomb() -> String {
    let mut s = String::from("a0: &a0 [lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    s
}

/// 10,000 nested flow sequences.
fn deep_nesting() -> String {
    format!("{}{}\n", "[".repeat(10_000), "]".repeat(10_000))
}

/// Writes a 200 MB text file of YAML comments and a key.
fn write_huge(path: &Path) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(b"apiVersion: v1\nkind: ConfigMap\nmetadata: { name: huge }\n")
        .unwrap();
    let line = [b"# ".as_slice(), &[b'x'; 1021], b"\n"].concat();
    for _ in 0..(200 * 1024) {
        f.write_all(&line).unwrap();
    }
    f.flush().unwrap();
}

fn binary() -> Vec<u8> {
    let mut v = b"\x7fELF\x02\x01\x01\x00".to_vec();
    // A deterministic byte soup with NULs and every byte value.
    let mut x: u32 = 0x9e37_79b9;
    for _ in 0..65_536 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x >> 24) as u8);
    }
    v
}

fn invalid_utf8() -> Vec<u8> {
    b"name: caf\xe9 \xff\xfe\nchecks:\n  - id: x\n    http: { get: \"http://127.0.0.1:1/\" }\n"
        .to_vec()
}

/// How one case is set up: the path to hand to the command, whether the command must run as
/// `nobody` (an unreadable file is readable for root), and a note when the case cannot be
/// exercised as intended.
struct Setup {
    path: PathBuf,
    as_nobody: bool,
    note: Option<&'static str>,
}

impl Setup {
    /// The case's name in the table, saying when it ran as `nobody`.
    fn label(&self, case: &str) -> String {
        if self.as_nobody {
            format!("{case} (as nobody)")
        } else {
            case.to_owned()
        }
    }
}

/// `setpriv`, which runs the command as `nobody` when the tests run as root.
const SETPRIV: &str = "/usr/bin/setpriv";

fn setup(dir: &Path, case: &str, name: &str) -> Setup {
    let path = dir.join(name);
    let mut note = None;
    let mut as_nobody = false;
    match case {
        "alias bomb" => std::fs::write(&path, alias_bomb()).unwrap(),
        "10,000-level nesting" => std::fs::write(&path, deep_nesting()).unwrap(),
        "200 MB file" => write_huge(&path),
        "binary file" => std::fs::write(&path, binary()).unwrap(),
        "invalid UTF-8" => std::fs::write(&path, invalid_utf8()).unwrap(),
        "FIFO" => {
            let ok = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(ok.success());
        }
        "symlink loop" => {
            let other = dir.join(format!("{name}.loop"));
            std::os::unix::fs::symlink(&other, &path).unwrap();
            std::os::unix::fs::symlink(&path, &other).unwrap();
        }
        "unreadable file" => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::write(&path, "name: x\n").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
            if std::fs::read(&path).is_ok() {
                // Root reads mode 000: run the command as `nobody`, who must reach the file.
                if Path::new(SETPRIV).exists() {
                    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
                    as_nobody = true;
                } else {
                    note = Some("root without setpriv: mode 000 is readable");
                }
            }
        }
        "directory as file" => std::fs::create_dir(&path).unwrap(),
        other => panic!("unknown case {other}"),
    }
    Setup {
        path,
        as_nobody,
        note,
    }
}

const CASES: [&str; 9] = [
    "alias bomb",
    "10,000-level nesting",
    "200 MB file",
    "binary file",
    "invalid UTF-8",
    "FIFO",
    "symlink loop",
    "unreadable file",
    "directory as file",
];

fn run(args: &[&str], as_nobody: bool) -> Measured {
    let bin = env!("CARGO_BIN_EXE_shipcheck");
    if as_nobody {
        let mut all = vec![
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            bin,
        ];
        all.extend_from_slice(args);
        return measure::run(Path::new(SETPRIV), &all, &[], Duration::from_secs(30), None);
    }
    measure::run(Path::new(bin), args, &[], Duration::from_secs(30), None)
}

/// The first line of stderr that says what went wrong (trimmed to 90 characters).
fn first_error(m: &Measured) -> String {
    let text = String::from_utf8_lossy(&m.output.stderr);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("error") || l.contains("error"))
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    line.chars().take(90).collect::<String>().replace('|', "/")
}

fn check_bounds(cmd: &str, case: &str, m: &Measured, note: Option<&str>) {
    let rss = m.peak_rss_kib as f64 / 1024.0;
    let code = m.output.status.code();
    let what = first_error(m);
    let suffix = note.map(|n| format!(" ({n})")).unwrap_or_default();
    println!(
        "| {cmd}: {case} | exit {} | {what}{suffix} | {:.2} s | {rss:.1} MiB | {WALL_BOUND:?} |",
        code.map_or("signal".to_owned(), |c| c.to_string()),
        m.wall.as_secs_f64()
    );
    assert!(!m.killed, "{cmd} {case}: killed at the limit");
    assert!(m.wall <= WALL_BOUND, "{cmd} {case}: took {:?}", m.wall);
    assert!(rss <= RSS_BOUND_MIB, "{cmd} {case}: peak RSS {rss:.1} MiB");
    let stderr = String::from_utf8_lossy(&m.output.stderr);
    assert!(!stderr.contains("panicked"), "{cmd} {case}: {stderr}");
    assert_ne!(code, Some(3), "{cmd} {case}: internal error\n{stderr}");
}

/// `verify` of each hostile plan file: a plan error (exit 2) naming the problem.
#[test]
fn hostile_plan_files_are_clear_errors_within_bounds() {
    if !crate::can_measure() {
        return;
    }
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let s = setup(dir.path(), case, "plan.yaml");
        let p = s.path.to_str().unwrap();
        let m = run(
            &["verify", p, "--no-report", "--color", "never"],
            s.as_nobody,
        );
        check_bounds("verify", &s.label(case), &m, s.note);
        if s.note.is_none() {
            assert_eq!(
                m.output.status.code(),
                Some(2),
                "verify {case}: {}",
                String::from_utf8_lossy(&m.output.stderr)
            );
            assert!(!first_error(&m).is_empty(), "verify {case}: no message");
        }
    }
}

/// `lint` of each hostile manifest named explicitly: an error or a finding, never a hang.
#[test]
fn hostile_manifests_are_clear_errors_or_findings_within_bounds() {
    if !crate::can_measure() {
        return;
    }
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let s = setup(dir.path(), case, "deploy.yaml");
        let p = s.path.to_str().unwrap();
        // A directory is a walk root for `lint`; where it wants a file is `--config`.
        let ok = dir.path().join("ok.yaml");
        std::fs::write(
            &ok,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok }\n",
        )
        .unwrap();
        let m = if case == "directory as file" {
            let ok = ok.to_str().unwrap();
            run(&["lint", ok, "--config", p, "--color", "never"], false)
        } else {
            let args = ["lint", p, "--color", "never", "--fail-on", "never"];
            run(&args, s.as_nobody)
        };
        let cmd = if case == "directory as file" {
            "lint --config"
        } else {
            "lint"
        };
        check_bounds(cmd, &s.label(case), &m, s.note);
        if case == "directory as file" {
            assert_eq!(m.output.status.code(), Some(2), "lint --config DIR");
        }
        let out = String::from_utf8_lossy(&m.output.stdout);
        let err = String::from_utf8_lossy(&m.output.stderr);
        // Something is said about the file: an error on stderr or a finding on stdout.
        assert!(
            !err.trim().is_empty() || out.contains("deploy.yaml"),
            "lint {case}: silent\n{out}\n{err}"
        );
    }
}
