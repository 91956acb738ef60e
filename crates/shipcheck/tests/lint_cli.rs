//! `shipcheck lint` through the binary: secrets masked in every output format, stdin
//! capped like files, FIFOs refused without blocking (issue 18 items 2, 8d, 9).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const URL_PW: &str = "Xq9fakePw77zz";
const ENV_TOK: &str = "fakeTok_ABCDEFGH12345678";
const ENV_PW: &str = "fakePw_secret99";

/// Runs `shipcheck lint ARGS` with `stdin`, failing the test if it takes over 20 s.
fn lint(args: &[&str], stdin: &[u8], cwd: &std::path::Path) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .arg("lint")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The binary may stop reading at its cap: a broken pipe here is expected.
        let _ = input.write_all(&data);
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("shipcheck lint {args:?} still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Issue 18.2: no planted secret shows raw in human, JSON, SARIF or JUnit output.
#[test]
fn issue18_2_secrets_masked_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!(
            "FROM alpine:3.19\nRUN curl https://deploy:{URL_PW}@host/x.tgz | tar xz\nENV API_TOKEN={ENV_TOK} DB_PASSWORD=\"{ENV_PW}\"\nUSER app\n"
        ),
    )
    .unwrap();
    for format in ["human", "json", "sarif", "junit"] {
        let (code, out, err) = lint(&["--format", format, "Dockerfile"], b"", dir.path());
        assert_eq!(code, 1, "{format}: {err}");
        assert!(out.contains("pipe-without-pipefail"), "{format}: {out}");
        for raw in [URL_PW, ENV_TOK, ENV_PW] {
            assert!(!out.contains(raw), "{format}: `{raw}` raw in\n{out}");
            assert!(!err.contains(raw), "{format}: `{raw}` raw in stderr");
        }
    }
}

/// Issue 18.8d: stdin over the 8 MiB cap is refused with a clear error (exit 2).
#[test]
fn issue18_8d_stdin_is_capped_like_files() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b'#'; 9 * 1024 * 1024];
    let (code, _, err) = lint(&["-"], &big, dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("<stdin>: larger than 8388608 bytes"), "{err}");
}

/// Issue 18.9: a FIFO named on the command line is refused at once (exit 2).
#[test]
fn issue18_9_named_fifo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ok = Command::new("mkfifo")
        .arg(dir.path().join("app.yaml"))
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let (code, _, err) = lint(&["app.yaml"], b"", dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("app.yaml: not a regular file"), "{err}");
}

/// Issue 9.14: `shipcheck lint` with no path lints the current directory.
#[test]
fn issue9_14_no_path_lints_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine:latest\n").unwrap();
    let (code, out, err) = lint(&["--format", "json"], b"", dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("dockerfile/base-image-unpinned"), "{out}");
    assert!(out.contains("Dockerfile"), "{out}");
}

/// Issue 18.13: a walked path that cannot be read is an `input/file-not-read` error
/// (exit 1), and `ignore:` in `.shipcheck.yaml` silences it also for a relative walk.
#[test]
fn issue18_13_dangling_link_is_reported_and_can_be_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let deploy = dir.path().join("deploy");
    std::fs::create_dir(&deploy).unwrap();
    std::os::unix::fs::symlink("gone.yaml", deploy.join("db.yaml")).unwrap();
    let (code, out, err) = lint(&["."], b"", &deploy);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("input/file-not-read"), "{out}");
    assert!(out.contains("db.yaml"), "{out}");
    std::fs::write(
        dir.path().join(".shipcheck.yaml"),
        "ignore:\n  - paths: [\"deploy/db.yaml\"]\n    rules: [\"input/file-not-read\"]\n",
    )
    .unwrap();
    let (code, out, err) = lint(&["."], b"", &deploy);
    assert_eq!(code, 0, "{out}{err}");
}
