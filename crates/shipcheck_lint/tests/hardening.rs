//! Issue 18 / issue 9 regressions for the lint half: secrets masked in every finding,
//! hostile inputs (FIFOs, unreadable files, huge walks), kind detection, helm line numbers,
//! stdin that is not YAML.

#![allow(clippy::unwrap_used, reason = "test code")]

use shipcheck_lint::{LintInput, LintOptions, LintOutcome, lint_inputs};

fn lint(path: &str, text: &str) -> LintOutcome {
    let input = LintInput {
        path: path.into(),
        disk_path: None,
        text: text.into(),
        explicit: true,
        unread: None,
    };
    lint_inputs(vec![input], &LintOptions::default()).unwrap()
}

/// Every message, help and frame of every finding, joined.
fn all_text(o: &LintOutcome) -> String {
    let mut s = String::new();
    for f in &o.findings {
        s.push_str(&f.message);
        s.push('\n');
        s.push_str(f.help.as_deref().unwrap_or(""));
        s.push('\n');
        s.push_str(f.snippet.as_deref().unwrap_or(""));
        s.push('\n');
    }
    s
}

const URL_PW: &str = "Xq9fakePw77zz";
const ENV_TOK: &str = "fakeTok_ABCDEFGH12345678";
const ENV_PW: &str = "fakePw_secret99";

/// Issue 18.2: a secret detected by one rule shows raw in no other finding's frame.
#[test]
fn issue18_2_dockerfile_secret_masked_in_every_finding() {
    let text = format!(
        "FROM alpine:3.19\nRUN curl https://deploy:{URL_PW}@host/x.tgz | tar xz\nENV API_TOKEN={ENV_TOK} DB_PASSWORD=\"{ENV_PW}\"\nUSER app\n"
    );
    let o = lint("Dockerfile", &text);
    let rules: Vec<&str> = o.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"dockerfile/pipe-without-pipefail"),
        "{rules:?}"
    );
    assert!(rules.contains(&"secrets/credentials-in-url"), "{rules:?}");
    let all = all_text(&o);
    for raw in [URL_PW, ENV_TOK, ENV_PW] {
        assert!(!all.contains(raw), "`{raw}` shows raw in:\n{all}");
    }
}

/// Issue 18.2: a folded compose value (`>-` over two lines) is masked line by line.
#[test]
fn issue18_2_folded_compose_secret_masked_in_frame() {
    let text = "services:\n  web:\n    image: nginx:1.25\n    environment:\n      API_TOKEN: >-\n        fakefoldedtok\n        secondhalf99\n";
    let o = lint("docker-compose.yml", text);
    assert!(
        o.findings
            .iter()
            .any(|f| f.rule == "compose/secret-in-environment")
    );
    let all = all_text(&o);
    for raw in ["fakefoldedtok", "secondhalf99"] {
        assert!(!all.contains(raw), "`{raw}` shows raw in:\n{all}");
    }
}

fn mkfifo(path: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// Issue 18.13 / 18.9: what a walk could not read is an `input/file-not-read` error
/// finding naming the path (a dangling link and a FIFO; mode 000 too when not root).
#[test]
fn issue18_13_unreadable_walked_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join(".env.example"), "# do not commit real values\nA=\n").unwrap();
    std::os::unix::fs::symlink(d.join("gone.yaml"), d.join("db.yaml")).unwrap();
    mkfifo(&d.join("pipe.yaml"));
    let o = shipcheck_lint::lint_paths(&[d.to_owned()], &LintOptions::default()).unwrap();
    let not_read: Vec<&str> = o
        .findings
        .iter()
        .filter(|f| f.rule == "input/file-not-read")
        .map(|f| f.path.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(not_read, ["db.yaml", "pipe.yaml"]);
    assert_eq!(o.max_severity(), Some(shipcheck_lint::Severity::Error));
    // A known dangling link can be ignored by path, like any finding.
    std::fs::write(
        d.join(".shipcheck.yaml"),
        "ignore:\n  - paths: [\"db.yaml\"]\n    rules: [\"input/file-not-read\"]\n",
    )
    .unwrap();
    let o = shipcheck_lint::lint_paths(&[d.to_owned()], &LintOptions::default()).unwrap();
    let not_read: Vec<&str> = o
        .findings
        .iter()
        .filter(|f| f.rule == "input/file-not-read")
        .map(|f| f.path.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(not_read, ["pipe.yaml"]);
}

/// Issue 18.9: a FIFO named on the command line is an error naming it, not a hang.
#[test]
fn issue18_9_named_fifo_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("app.yaml");
    mkfifo(&fifo);
    let (tx, rx) = std::sync::mpsc::channel();
    let p = fifo.clone();
    std::thread::spawn(move || {
        let _ = tx.send(shipcheck_lint::lint_paths(&[p], &LintOptions::default()).map(|_| ()));
    });
    let err = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("lint blocked on a fifo")
        .unwrap_err();
    assert!(
        err.to_string().contains("app.yaml: not a regular file"),
        "{err}"
    );
}

/// Issue 9.7: stdin that is not YAML (nor a Dockerfile) is a parse error, not an
/// unknown kind.
#[test]
fn issue9_7_stdin_that_is_not_yaml_is_a_parse_error() {
    let o = shipcheck_lint::lint_stdin_text("foo: [\n".into(), &LintOptions::default()).unwrap();
    let rules: Vec<&str> = o.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["input/parse-error"]);
    // Valid YAML of no known kind stays a warning.
    let o = shipcheck_lint::lint_stdin_text("foo: [1]\n".into(), &LintOptions::default()).unwrap();
    let rules: Vec<&str> = o.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["input/unknown-file-kind"]);
}

/// Issue 18.10: a Python file and a README starting with `from` are not Dockerfiles:
/// no parse errors when walked, only an unknown-kind warning when named.
#[test]
fn issue18_10_python_and_readme_starting_with_from_are_not_dockerfiles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    std::fs::write(d.join("README"), "from the start, this tool was small.\n").unwrap();
    std::fs::write(
        d.join("README.md"),
        "from scratch\n\nBuild it from scratch.\n",
    )
    .unwrap();
    let o = shipcheck_lint::lint_paths(&[d.to_owned()], &LintOptions::default()).unwrap();
    assert!(o.findings.is_empty(), "{:?}", o.findings);
    assert_eq!(o.files_scanned, 0);
    let o = shipcheck_lint::lint_paths(&[d.join("app.py")], &LintOptions::default()).unwrap();
    let rules: Vec<&str> = o.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["input/unknown-file-kind"]);
}

/// Issue 18.11b: a Dockerfile of 200,000 stages lints in linear time. Before the fix each
/// stage scanned all earlier stages (2·10¹⁰ comparisons here, minutes even in release);
/// the bound is a generous wall time for a debug build on a loaded machine.
#[test]
fn issue18_11b_many_stages_lint_in_linear_time() {
    let text = "FROM alpine:3.19\n".repeat(200_000);
    let start = std::time::Instant::now();
    let o = lint("Dockerfile", &text);
    let took = start.elapsed();
    assert!(
        o.findings
            .iter()
            .all(|f| f.rule != "dockerfile/base-image-unpinned")
    );
    assert!(took.as_secs() < 60, "took {took:?}");
}

/// Masking every secret in every finding stays linear: 20,000 secrets and as many
/// findings (one pass per secret per finding took 427 s in a debug build; now ~2 s).
#[test]
fn masking_many_secrets_in_many_findings_is_linear() {
    let mut text = String::from("FROM alpine:3.19\nUSER app\n");
    for i in 0..20_000 {
        text.push_str(&format!("ENV A{i}_PASSWORD=fakepw{i:08}x\n"));
    }
    let start = std::time::Instant::now();
    let o = lint("Dockerfile", &text);
    let took = start.elapsed();
    assert!(o.findings.len() >= 20_000);
    assert!(!all_text(&o).contains("fakepw0001"), "a secret shows raw");
    assert!(took.as_secs() < 60, "took {took:?}");
}

/// Issue 18.9: a FIFO given as `--config` is refused, naming it, instead of blocking.
#[test]
fn issue18_9_config_fifo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("shipcheck.yaml");
    mkfifo(&fifo);
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = LintOptions {
        config: Some(fifo),
        namespace: None,
    };
    std::thread::spawn(move || {
        let _ = tx.send(lint_inputs(Vec::new(), &opts).map(|_| ()));
    });
    let err = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("lint blocked on a fifo config")
        .unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

/// Suppressions are applied in one sweep: testing every pair took 43 s for 80,000 in a
/// debug build. The check is on growth, not on seconds (which depend on the machine and
/// its load): doubling the suppressions must not much more than double the time (a
/// quadratic sweep would quadruple it).
#[test]
fn many_suppressions_apply_in_linear_time() {
    let timed = |n: usize| {
        let mut text = String::from("FROM alpine:3.19\nUSER app\nHEALTHCHECK CMD true\n");
        for i in 0..n {
            text.push_str(&format!(
                "# shipcheck-ignore dockerfile/secret-in-env: test\nENV A{i}_PASSWORD=fakepw{i:08}x\n"
            ));
        }
        text.push_str("ENV LAST_PASSWORD=fakepwlastone\n");
        let start = std::time::Instant::now();
        let o = lint("Dockerfile", &text);
        let took = start.elapsed();
        let rules: Vec<&str> = o.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["dockerfile/secret-in-env"],
            "only the unsuppressed line"
        );
        took.as_secs_f64()
    };
    // The smaller run first also warms caches and the allocator.
    let small = timed(30_000);
    let large = timed(60_000);
    let growth = large / small.max(1e-3);
    assert!(
        growth < 3.2,
        "doubling the suppressions took {growth:.2}x as long ({small:.2}s → {large:.2}s)"
    );
}
