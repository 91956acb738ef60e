//! Issue 9.14: CLI conventions every command follows: shell completions, `--color`,
//! `-q`/`-v`, `--format` values in the help, a plain-ASCII table when not on a terminal.

#![allow(clippy::unwrap_used)]

mod support;

use support::shipcheck;

const TINY_PLAN: &str = "name: tiny\nchecks:\n  - id: later\n    skip: not deployed yet\n    http: { get: \"http://127.0.0.1:9/\" }\n";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.yaml"), TINY_PLAN).unwrap();
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = shipcheck(&["completions", shell], &[], dir.path());
        assert_eq!(out.status.code(), Some(0), "{shell}: {out:?}");
        let script = stdout(&out);
        assert!(script.contains("shipcheck"), "{shell}: {script}");
        assert!(script.contains("verify"), "{shell} completes the commands");
    }
    // The bash script is valid bash.
    let out = shipcheck(&["completions", "bash"], &[], dir.path());
    let path = dir.path().join("shipcheck.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = shipcheck(&["completions", "tcsh"], &[], dir.path());
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn every_command_takes_color_quiet_and_verbose_and_lists_its_formats() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["verify", "report", "demo", "lint", "rules", "completions"] {
        let out = shipcheck(&[command, "--help"], &[], dir.path());
        let help = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{command}: {help}");
        for flag in ["--color", "--quiet", "--verbose"] {
            assert!(
                help.contains(flag),
                "{command} --help lacks {flag}:\n{help}"
            );
        }
        if command != "rules" && command != "completions" {
            assert!(help.contains("--format"), "{command}:\n{help}");
            for value in ["json", "junit"] {
                assert!(
                    help.contains(value),
                    "{command} --help does not list the format `{value}`:\n{help}"
                );
            }
        }
    }
    // -q/-v before or after the command name.
    let out = shipcheck(&["-q", "rules"], &[], dir.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = shipcheck(&["rules", "-v"], &[], dir.path());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn piped_terminal_output_is_plain_ascii_and_uncoloured_unless_asked() {
    let dir = project();
    let out = shipcheck(&["verify", "plan.yaml", "--no-report"], &[], dir.path());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let table: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('|') || l.starts_with('+'))
        .collect();
    assert!(table.len() >= 3, "an ASCII table:\n{text}");
    assert!(table.iter().all(|l| l.is_ascii()), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour into a pipe:\n{text}");

    let out = shipcheck(
        &["verify", "plan.yaml", "--no-report", "--color", "always"],
        &[],
        dir.path(),
    );
    assert!(stdout(&out).contains("\u{1b}["), "--color always colours");
    let out = shipcheck(
        &["--color", "never", "verify", "plan.yaml", "--no-report"],
        &[],
        dir.path(),
    );
    assert!(!stdout(&out).contains('\u{1b}'));
}

#[test]
fn lint_human_output_is_coloured_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:latest\nUSER root\n",
    )
    .unwrap();
    let plain = shipcheck(&["lint", "Dockerfile"], &[], dir.path());
    assert!(!stdout(&plain).is_empty(), "{plain:?}");
    assert!(!stdout(&plain).contains('\u{1b}'), "{}", stdout(&plain));
    let coloured = shipcheck(
        &["lint", "Dockerfile", "--color", "always"],
        &[],
        dir.path(),
    );
    assert!(
        stdout(&coloured).contains("\u{1b}["),
        "{}",
        stdout(&coloured)
    );
}
