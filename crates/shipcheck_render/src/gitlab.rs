//! GitLab Code Quality: the lint findings as the JSON array GitLab reads from a
//! `artifacts:reports:codequality` file
//! (<https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format>).
//!
//! Each finding is an object with `description`, `check_name` (the rule id),
//! `fingerprint` (stable across runs: rule, path, message and the occurrence number of that
//! triple, never the line, so moving a finding does not make it new), `severity`
//! (`error` → `major`, `warning` → `minor`, `info` → `info`) and
//! `location.path` / `location.lines.begin`. Checks are not code findings and are left out.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};
use shipcheck_report::{Finding, Report, Severity};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::text::project_path as path;

/// Writes GitLab Code Quality JSON.
pub(crate) struct GitlabRenderer;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// 64-bit FNV-1a from `seed`: stable across platforms and Rust versions.
fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h = seed;
    for part in parts {
        for b in part.iter().chain([&0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// 128 bits of hex from two FNV-1a hashes of the finding's identity.
fn fingerprint(f: &Finding, occurrence: usize) -> String {
    let n = occurrence.to_string();
    let parts: [&[u8]; 4] = [
        f.rule.as_bytes(),
        path(&f.path).as_bytes(),
        f.message.as_bytes(),
        n.as_bytes(),
    ];
    format!(
        "{:016x}{:016x}",
        fnv1a(0xcbf2_9ce4_8422_2325, &parts),
        fnv1a(0x6c62_272e_07bb_0142, &parts)
    )
}

impl Render for GitlabRenderer {
    fn render(
        &self,
        report: &Report,
        _cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let mut seen: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
        let issues: Vec<Value> = report
            .findings
            .iter()
            .map(|f| {
                let n = seen
                    .entry((&f.rule, path(&f.path), &f.message))
                    .or_default();
                *n += 1;
                let mut description = f.message.clone();
                if let Some(help) = &f.help {
                    description.push_str(" (help: ");
                    description.push_str(help);
                    description.push(')');
                }
                json!({
                    "description": description,
                    "check_name": f.rule,
                    "fingerprint": fingerprint(f, *n),
                    "severity": severity(f.severity),
                    "location": {
                        "path": path(&f.path),
                        "lines": { "begin": f.line },
                    },
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues).map_err(RenderError::Json)?;
        out.write_all(b"\n").map_err(RenderError::write("gitlab"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, fixtures, render_to_string};

    #[test]
    fn findings_follow_the_code_quality_format() {
        let mut report = fixtures::lint_run();
        // Two identical findings stay two issues with distinct fingerprints.
        let twin = report.findings[0].clone();
        report.findings.push(twin);
        report.findings[0].path = format!("./{}", report.findings[0].path);
        let text = render_to_string(Format::Gitlab, &report, &RenderConfig::default()).unwrap();
        let issues: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(issues.len(), report.findings.len());
        let mut prints = Vec::new();
        for (issue, f) in issues.iter().zip(&report.findings) {
            let obj = issue.as_object().unwrap();
            let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "check_name",
                    "description",
                    "fingerprint",
                    "location",
                    "severity"
                ]
            );
            assert_eq!(issue["check_name"], f.rule.as_str());
            assert!(
                issue["description"]
                    .as_str()
                    .unwrap()
                    .starts_with(&f.message)
            );
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap())
            );
            assert!(
                !issue["location"]["path"]
                    .as_str()
                    .unwrap()
                    .starts_with("./")
            );
            assert_eq!(issue["location"]["lines"]["begin"], f.line);
            prints.push(issue["fingerprint"].as_str().unwrap().to_owned());
        }
        let n = prints.len();
        prints.sort();
        prints.dedup();
        assert_eq!(prints.len(), n, "fingerprints are unique");
        // Stable: the same report gives the same fingerprints; a moved line keeps them.
        let mut moved = report.clone();
        moved.findings[1].line += 10;
        let again: Vec<Value> = serde_json::from_str(
            &render_to_string(Format::Gitlab, &moved, &RenderConfig::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(again[1]["fingerprint"], issues[1]["fingerprint"]);
    }

    #[test]
    fn no_findings_is_an_empty_array() {
        let text = render_to_string(
            Format::Gitlab,
            &fixtures::all_passed(),
            &RenderConfig::default(),
        )
        .unwrap();
        assert_eq!(text.trim(), "[]");
    }
}
