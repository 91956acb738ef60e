//! CI-native outputs: GitHub workflow-command annotations, GitLab Code Quality JSON, and the
//! GitHub step summary, each checked against its documented format.

use std::path::Path;

use serde_json::Value;

use crate::runs::{DEPLOY, DOCKERFILE, demo, scratch};
use crate::support::shipcheck;

/// One GitHub workflow command, parsed by the documented grammar
/// `::LEVEL key=value,key=value::MESSAGE` and unescaped (`%25 %0D %0A %3A %2C`).
struct Annotation {
    level: String,
    props: Vec<(String, String)>,
    message: String,
}

fn unescape(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse(line: &str) -> Annotation {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a workflow command: {line}"));
    let (head, message) = rest.split_once("::").unwrap();
    let (level, props) = head.split_once(' ').unwrap_or((head, ""));
    assert!(
        ["error", "warning", "notice"].contains(&level),
        "level {level}: {line}"
    );
    // Unescaped `,` `:` `%` inside a property value would break this split: escaping is
    // what makes it safe.
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            assert!(
                ["file", "line", "endLine", "col", "endColumn", "title"].contains(&k),
                "{line}"
            );
            assert!(!v.contains(':'), "unescaped `:` in {line}");
            (k.to_owned(), unescape(v))
        })
        .collect();
    assert!(!message.contains('\n') && !message.contains('\r'));
    Annotation {
        level: level.to_owned(),
        props,
        message: unescape(message),
    }
}

impl Annotation {
    fn prop(&self, k: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
}

fn project() -> std::path::PathBuf {
    let dir = scratch("ci-project");
    std::fs::create_dir_all(dir.join("deploy")).unwrap();
    std::fs::write(dir.join("deploy/web.yaml"), DEPLOY).unwrap();
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    dir
}

#[test]
fn github_annotations_for_failed_checks_and_findings() {
    let drift = demo("schema-drift");
    let run = shipcheck(
        &[
            "report",
            drift.report().to_str().unwrap(),
            "--format",
            "github",
        ],
        &[],
        Path::new("."),
    );
    assert_eq!(run.status.code(), Some(0));
    let text = String::from_utf8(run.stdout).unwrap();
    let notes: Vec<Annotation> = text.lines().map(parse).collect();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(drift.report()).unwrap()).unwrap();
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed" || c["status"] == "error")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(failed.contains(&"schema"));
    for id in &failed {
        assert!(
            notes.iter().any(|n| n
                .prop("title")
                .is_some_and(|t| t.starts_with(&format!("check {id} ")))),
            "no annotation for {id}:\n{text}"
        );
    }
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(
        notes.len(),
        failed.len() + findings.len() + 1,
        "one per failed check, one per finding, the verdict:\n{text}"
    );
    let verdict = notes.last().unwrap();
    assert_eq!(verdict.level, "error");
    assert!(
        verdict.message.starts_with("not ready"),
        "{}",
        verdict.message
    );
}

#[test]
fn lint_github_and_gitlab_outputs() {
    let dir = project();
    let run = shipcheck(&["lint", ".", "--format", "github"], &[], &dir);
    assert_eq!(run.status.code(), Some(1), "an error-level finding");
    let text = String::from_utf8(run.stdout).unwrap();
    let notes: Vec<Annotation> = text.lines().map(parse).collect();
    let privileged = notes
        .iter()
        .find(|n| n.prop("title") == Some("k8s/privileged-container"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(privileged.level, "error");
    assert_eq!(privileged.prop("file"), Some("deploy/web.yaml"));
    let line: usize = privileged.prop("line").unwrap().parse().unwrap();
    let col: usize = privileged.prop("col").unwrap().parse().unwrap();
    // The annotation points at the flagged text.
    let src_line = DEPLOY.lines().nth(line - 1).unwrap();
    assert!(src_line[col - 1..].contains("privileged"), "{src_line}");
    assert!(notes.iter().any(|n| n.prop("file") == Some("Dockerfile")));

    let run = shipcheck(&["lint", ".", "--format", "gitlab"], &[], &dir);
    assert_eq!(run.status.code(), Some(1));
    let issues: Vec<Value> = serde_json::from_slice(&run.stdout).unwrap();
    let json: Value =
        serde_json::from_slice(&shipcheck(&["lint", ".", "--format", "json"], &[], &dir).stdout)
            .unwrap();
    assert_eq!(issues.len(), json["findings"].as_array().unwrap().len());
    for issue in &issues {
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(
            issue["check_name"]
                .as_str()
                .is_some_and(|c| c.contains('/'))
        );
        assert!(
            issue["fingerprint"]
                .as_str()
                .is_some_and(|f| f.len() == 32 && f.bytes().all(|b| b.is_ascii_hexdigit()))
        );
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(
            dir.join(path).is_file(),
            "{path} is relative to the project"
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    let privileged = issues
        .iter()
        .find(|i| i["check_name"] == "k8s/privileged-container")
        .unwrap();
    assert_eq!(privileged["severity"], "major");
    assert_eq!(privileged["location"]["path"], "deploy/web.yaml");
}

#[test]
fn the_step_summary_is_appended() {
    let dir = project();
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let env = [("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())];
    for _ in 0..2 {
        let run = shipcheck(&["lint", ".", "--quiet"], &env, &dir);
        assert_eq!(run.status.code(), Some(1));
    }
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n"), "{text}");
    assert!(text.contains("k8s/privileged-container"), "{text}");
    let md =
        String::from_utf8(shipcheck(&["lint", ".", "--format", "md"], &[], &dir).stdout).unwrap();
    let first_line = md.lines().next().unwrap();
    assert_eq!(
        text.matches(first_line).count(),
        2,
        "appended once per run:\n{text}"
    );
}
