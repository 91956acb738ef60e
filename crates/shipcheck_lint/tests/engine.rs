//! End-to-end behaviour of the engine: suppressions, config, stdin/helm, alias bombs,
//! secret masking, unknown kinds, deterministic order.

#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::PathBuf;

use shipcheck_lint::{
    LintInput, LintOptions, LintOutcome, lint_inputs, lint_paths, lint_stdin_text,
};

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n";

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

fn rules(o: &LintOutcome) -> Vec<&str> {
    o.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn comment_suppression_on_line_or_line_above_and_missing_reason() {
    let text = DEPLOY.replace(
        "          image: nginx:latest\n",
        "          # shipcheck-ignore k8s/latest-image-tag: pinned by the release job\n          image: nginx:latest\n",
    );
    let o = lint("d.yaml", &text);
    assert!(!rules(&o).contains(&"k8s/latest-image-tag"));
    let text = DEPLOY.replace(
        "image: nginx:latest",
        "image: nginx:latest # shipcheck-ignore k8s/latest-image-tag",
    );
    let o = lint("d.yaml", &text);
    assert!(!rules(&o).contains(&"k8s/latest-image-tag"));
    assert!(rules(&o).contains(&"input/suppression-missing-reason"));
}

#[test]
fn annotation_suppression_covers_the_object_and_unknown_ids_are_reported() {
    let text = DEPLOY.replace(
        "  name: web\nspec",
        "  name: web\n  annotations:\n    shipcheck.dev/ignore: \"k8s/latest-image-tag,k8s/nope: demo only\"\nspec",
    );
    let o = lint("d.yaml", &text);
    assert!(!rules(&o).contains(&"k8s/latest-image-tag"));
    assert!(rules(&o).contains(&"input/suppression-unknown-rule"));
}

#[test]
fn config_disables_rules_changes_severity_and_ignores_paths() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".shipcheck.yaml"), "rules:\n  k8s/latest-image-tag: error\n  k8s/liveness-probe-missing: off\nignore:\n  - paths: [\"legacy/**\"]\n    rules: [\"k8s/*\"]\n").unwrap();
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    std::fs::write(dir.path().join("app.yaml"), DEPLOY).unwrap();
    std::fs::write(dir.path().join("legacy/old.yaml"), DEPLOY).unwrap();
    let o = lint_paths(&[dir.path().to_owned()], &LintOptions::default()).unwrap();
    assert_eq!(o.files_scanned, 2);
    assert!(
        o.findings.iter().all(|f| f.path.ends_with("app.yaml")),
        "{:?}",
        o.findings
    );
    let tag = o
        .findings
        .iter()
        .find(|f| f.rule == "k8s/latest-image-tag")
        .unwrap();
    assert_eq!(tag.severity, shipcheck_lint::Severity::Error);
    assert!(!rules(&o).contains(&"k8s/liveness-probe-missing"));
    // --config overrides the nearest file.
    let other = dir.path().join("strict.yaml");
    std::fs::write(&other, "rules:\n  k8s/latest-image-tag: off\n").unwrap();
    let opts = LintOptions {
        config: Some(other),
        ..LintOptions::default()
    };
    let o = lint_paths(&[dir.path().join("app.yaml")], &opts).unwrap();
    assert!(!rules(&o).contains(&"k8s/latest-image-tag"));
    assert!(rules(&o).contains(&"k8s/liveness-probe-missing"));
}

#[test]
fn helm_stream_findings_name_the_template() {
    let stream = format!(
        "---\n# Source: app/templates/deploy.yaml\n{DEPLOY}---\n# Source: app/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {{ app: web }}\n"
    );
    let o = lint_stdin_text(stream, &LintOptions::default()).unwrap();
    assert_eq!(o.files_scanned, 2);
    let tag = o
        .findings
        .iter()
        .find(|f| f.rule == "k8s/latest-image-tag")
        .unwrap();
    assert_eq!(
        (tag.path.as_str(), tag.line),
        ("app/templates/deploy.yaml", 14)
    );
}

#[test]
fn alias_bomb_is_a_parse_error() {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata:\n  a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n",
    );
    for (prev, cur) in ["a", "b", "c", "d", "e", "f", "g"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h"])
    {
        text.push_str(&format!(
            "  {cur}: &{cur} [{}]\n",
            vec![format!("*{prev}"); 10].join(",")
        ));
    }
    let o = lint("bomb.yaml", &text);
    let pe = o
        .findings
        .iter()
        .find(|f| f.rule == "input/parse-error")
        .unwrap();
    assert!(pe.message.contains("alias bomb"));
    assert!(pe.line >= 5);
}

#[test]
fn secrets_are_masked_in_message_snippet_and_sarif() {
    let text = DEPLOY.replace(
        "          image: nginx:latest\n",
        "          image: nginx:1.27\n          env:\n            - name: API_TOKEN\n              value: tok_9f8e7d6c5b4a39281706\n",
    );
    let o = lint("d.yaml", &text);
    let f = o
        .findings
        .iter()
        .find(|f| f.rule == "k8s/plaintext-secret-in-env")
        .unwrap();
    let report = o.clone().into_report(
        shipcheck_report::RunInfo::default(),
        Some(shipcheck_lint::Severity::Error),
    );
    let render = |format| {
        shipcheck_render::render_to_string(
            format,
            &report,
            &shipcheck_render::RenderConfig::default(),
        )
        .unwrap()
    };
    let sarif = render(shipcheck_render::Format::Sarif);
    let human = render(shipcheck_render::Format::Terminal);
    for out in [
        f.message.as_str(),
        f.snippet.as_deref().unwrap(),
        &sarif,
        &human,
    ] {
        assert!(!out.contains("tok_9f8e7d6c5b4a39281706"), "{out}");
    }
    assert!(f.message.contains("tok_…(24 chars)"));
}

#[test]
fn unknown_kind_named_explicitly_is_reported_and_walked_is_skipped() {
    let o = lint("notes.txt", "hello\n");
    assert_eq!(rules(&o), ["input/unknown-file-kind"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\n").unwrap();
    let o = lint_paths(&[dir.path().to_owned()], &LintOptions::default()).unwrap();
    assert!(o.findings.is_empty() && o.files_scanned == 0);
    assert!(
        lint_paths(
            &[PathBuf::from("/nonexistent/x.yaml")],
            &LintOptions::default()
        )
        .is_err()
    );
}

#[test]
fn output_is_sorted_and_deterministic() {
    let a = lint("d.yaml", DEPLOY);
    let b = lint("d.yaml", DEPLOY);
    assert_eq!(a, b);
    let keys: Vec<_> = a
        .findings
        .iter()
        .map(|f| (f.line, f.column, f.rule.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn production_namespace_from_flag() {
    let opts = LintOptions {
        namespace: Some("production".into()),
        ..LintOptions::default()
    };
    let input = LintInput {
        path: "d.yaml".into(),
        disk_path: None,
        text: DEPLOY.into(),
        explicit: true,
        unread: None,
    };
    let o = lint_inputs(vec![input.clone()], &opts).unwrap();
    assert!(rules(&o).contains(&"k8s/replicas-below-two-in-production"));
    let o = lint_inputs(vec![input], &LintOptions::default()).unwrap();
    assert!(!rules(&o).contains(&"k8s/replicas-below-two-in-production"));
}
