//! Registry-wide tests: unique IDs, documentation sections, fixtures, generated docs.

use std::collections::HashSet;
use std::path::Path;

use crate::nodes::NodeKind;
use crate::{Rule, explain_text, rule_markdown, rules_index_markdown};

#[test]
fn codes_and_names_are_unique_and_prefixed_by_family() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for r in Rule::ALL {
        assert!(codes.insert(r.code()), "duplicate code {}", r.code());
        assert!(names.insert(r.name()), "duplicate name {}", r.name());
        let (family, id) = r.code().split_once('/').unwrap();
        assert_eq!(family, r.family().as_str(), "{}", r.code());
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            r.code()
        );
        assert_eq!(Rule::from_code(r.code()), Some(*r));
    }
}

#[test]
fn every_rule_has_the_doc_sections() {
    for r in Rule::ALL {
        let doc = explain_text(*r);
        let pos = |s: &str| {
            doc.find(s)
                .unwrap_or_else(|| panic!("{}: missing `{s}`", r.code()))
        };
        let (a, b, c, d) = (
            pos("## What it does"),
            pos("## Why is this bad?"),
            pos("## Example"),
            pos("Use instead:"),
        );
        assert!(
            a < b && b < c && c < d,
            "{}: sections out of order",
            r.code()
        );
        assert!(
            doc[c..d].contains("```") && doc[d..].contains("```"),
            "{}: examples must be fenced",
            r.code()
        );
    }
}

#[test]
fn every_dispatched_rule_has_fixtures_and_a_snapshot() {
    for r in Rule::ALL
        .iter()
        .filter(|r| r.node_kind() != NodeKind::Engine)
    {
        let (family, id) = r.code().split_once('/').unwrap();
        let stem = id.replace('-', "_");
        let dir = Path::new("resources/test/fixtures").join(family);
        let has = |suffix: &str| {
            std::fs::read_dir(&dir)
                .map(|d| {
                    d.flatten().any(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with(&format!("{stem}_{suffix}."))
                    })
                })
                .unwrap_or(false)
        };
        assert!(
            has("bad") && has("good"),
            "{}: missing {stem}_bad/_good fixtures in {}",
            r.code(),
            dir.display()
        );
        let snap = Path::new("src/rules")
            .join(family)
            .join("snapshots")
            .join(format!(
                "shipcheck_lint__rules__{family}__tests__{stem}_bad.snap"
            ));
        assert!(
            snap.is_file(),
            "{}: missing snapshot {}",
            r.code(),
            snap.display()
        );
    }
}

/// `docs/rules/` is generated from the rule docs; set `SHIPCHECK_UPDATE_DOCS=1` to rewrite it.
#[test]
fn docs_are_current() {
    let root = Path::new("../../docs/rules");
    let mut expected = vec![(root.join("README.md"), rules_index_markdown())];
    for r in Rule::ALL {
        expected.push((root.join(format!("{}.md", r.code())), rule_markdown(*r)));
    }
    let update = std::env::var("SHIPCHECK_UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, text) in expected {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs (run with SHIPCHECK_UPDATE_DOCS=1): {stale:?}"
    );
}
