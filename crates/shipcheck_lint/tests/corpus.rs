//! Walks the whole shared corpus (real manifests, compose files, Dockerfiles, env templates,
//! and other linters' fixtures, some deliberately broken): no panic, broken files give
//! `input/parse-error` with a position, and the SARIF output validates against the schema.
//!
//! The corpus lives outside the repository (`../shared/corpus` from the repo root). When it
//! is missing the tests print a notice and pass, except under `CI=true`, where it fails.

#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::{Path, PathBuf};

use shipcheck_lint::{LintInput, LintOptions, lint_inputs, lint_paths};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "corpus missing at {} (required when CI=true)",
        dir.display()
    );
    eprintln!("notice: corpus not found at {}; skipping", dir.display());
    None
}

/// Corpus files per MANIFEST.tsv: (kind, path).
fn manifest(dir: &Path) -> Vec<(String, PathBuf)> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?.to_owned(), dir.join(cols.next()?)))
        })
        .collect()
}

#[test]
fn whole_corpus_lints_without_panic_and_broken_files_have_positions() {
    let Some(dir) = corpus() else { return };
    let files = manifest(&dir);
    assert!(files.len() > 700, "{} files in MANIFEST.tsv", files.len());
    let outcome = lint_paths(std::slice::from_ref(&dir), &LintOptions::default()).unwrap();
    // Everything but Helm values files is recognised.
    assert!(
        outcome.files_scanned >= files.len() - 10,
        "only {} of {} files scanned",
        outcome.files_scanned,
        files.len()
    );
    for f in &outcome.findings {
        assert!(f.line >= 1 && f.column >= 1, "{f:?}");
        if f.rule == "input/parse-error" {
            assert!(f.message.contains("does not parse"), "{f:?}");
        }
    }
    // The deliberately broken Checkov fixture (a stray `~` line) is a parse error at line 12.
    let broken: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| {
            f.rule == "input/parse-error"
                && f.path
                    .ends_with("example_UpdateNotAlone__failure__Dockerfile")
        })
        .collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!((broken[0].line, broken[0].column), (12, 1));
    assert!(broken[0].message.contains("unknown instruction `~`"));
    for f in outcome
        .findings
        .iter()
        .filter(|f| f.rule == "input/parse-error")
    {
        assert!(f.snippet.is_some(), "{f:?}");
    }
    // Every file also lints on its own, named explicitly.
    for (_, path) in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let input = LintInput {
            path: path.display().to_string(),
            disk_path: Some(path.clone()),
            text,
            explicit: true,
            unread: None,
        };
        let out = lint_inputs(vec![input], &LintOptions::default()).unwrap();
        assert!(out.files_scanned <= 1);
    }
}

#[test]
fn sarif_for_the_corpus_validates_against_the_schema() {
    let Some(dir) = corpus() else { return };
    let outcome = lint_paths(&[dir], &LintOptions::default()).unwrap();
    assert!(!outcome.findings.is_empty());
    let report = outcome.clone().into_report(
        shipcheck_report::RunInfo::default(),
        Some(shipcheck_report::Severity::Error),
    );
    let sarif: serde_json::Value = serde_json::from_str(
        &shipcheck_render::render_to_string(
            shipcheck_render::Format::Sarif,
            &report,
            &shipcheck_render::RenderConfig::default(),
        )
        .unwrap(),
    )
    .unwrap();
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas/sarif-schema-2.1.0.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    // The official schema's `language` patterns have a stray `]` that regex meta-validation
    // rejects; shipcheck never emits `language`, so fix them to their evident intent in memory.
    let fixed = fix_language_pattern(&mut schema);
    assert!(fixed >= 1);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), outcome.findings.len());
    for r in results {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1
                && region["startColumn"].as_u64().unwrap() >= 1
        );
    }
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## Why is this bad?")
        );
    }
}

fn fix_language_pattern(v: &mut serde_json::Value) -> usize {
    match v {
        serde_json::Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
            *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
            1
        }
        serde_json::Value::Array(a) => a.iter_mut().map(fix_language_pattern).sum(),
        serde_json::Value::Object(o) => o.values_mut().map(fix_language_pattern).sum(),
        _ => 0,
    }
}
