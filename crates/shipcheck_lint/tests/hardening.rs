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
