//! The registry's own checks: unique names, complete docs whose examples load, and
//! `docs/probes/` generated from them.

use std::path::Path;

use super::KINDS;

#[test]
fn names_are_unique_and_docs_complete() {
    let mut names: Vec<&str> = KINDS.names().collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "duplicate kind names");
    for kind in KINDS.iter() {
        let doc = kind.doc();
        assert!(!doc.summary.is_empty(), "{} has no summary", kind.name());
        assert!(
            !doc.implied.is_empty(),
            "{} does not say what it implies",
            kind.name()
        );
        assert!(!doc.keys.is_empty(), "{} documents no keys", kind.name());
        for key in kind.expect_keys() {
            assert!(
                doc.expectations
                    .iter()
                    .any(|e| e.name.split([',', '|']).any(|n| n.trim() == *key)),
                "{}: expectation `{key}` is not documented",
                kind.name()
            );
        }
    }
}

/// Every kind's example is a check that loads with the registry (its `{{ names }}` defined
/// as plan variables, its `needs` left out).
#[test]
fn examples_load() {
    for kind in KINDS.iter() {
        let example: String = kind
            .doc()
            .example
            .lines()
            .filter(|l| !l.trim_start().starts_with("needs:"))
            .map(|l| format!("  {l}\n"))
            .collect();
        let mut names = shipcheck_plan::template::references(&example);
        names.sort();
        names.dedup();
        let vars: String = names
            .iter()
            .map(|n| format!("{n}: \"http://127.0.0.1:1\", "))
            .collect();
        let src = format!("name: example\nvars: {{ {vars} }}\nchecks:\n{example}");
        let env = |_: &str| Some("example-secret-value".to_owned());
        if let Err(e) = shipcheck_plan::load_str(&src, Path::new("plan.yaml"), &env, KINDS) {
            panic!("the {} example does not load:\n{e}\n{src}", kind.name());
        }
    }
}

/// `docs/probes/` is generated from the kinds' docs; set `SHIPCHECK_UPDATE_DOCS=1` to rewrite it.
#[test]
fn docs_are_current() {
    let root = Path::new("../../docs/probes");
    let mut index = String::from(
        "<!-- generated from the probe kinds' KindDoc; do not edit -->\n# Probe kinds\n\nEach kind lives in `crates/shipcheck_probe/src/kinds/<kind>/`; the plan language around them is in [../plan.md](../plan.md).\n\n| kind | what it checks |\n|---|---|\n",
    );
    let mut expected = Vec::new();
    for kind in KINDS.iter() {
        let name = kind.name();
        let first = kind.doc().summary.split(". ").next().unwrap_or_default();
        index.push_str(&format!(
            "| [`{name}`]({name}.md) | {} |\n",
            first.trim_end_matches('.')
        ));
        expected.push((root.join(format!("{name}.md")), kind.doc().markdown(name)));
    }
    expected.push((root.join("README.md"), index));
    let update = std::env::var("SHIPCHECK_UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, text) in expected {
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::create_dir_all(root).expect("create docs/probes");
                std::fs::write(&path, text).expect("write docs/probes");
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
