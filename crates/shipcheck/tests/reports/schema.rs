//! `shipcheck schema plan|report|config`, validated with Python's `jsonschema` (the
//! standard validator): every example plan in the repository, the demo plan and every
//! probe kind's documented example against the plan schema; the report.json of every
//! saved run against the report schema; every `.shipcheck.yaml` in the repository and the
//! documented one against the config schema. Broken documents must fail, so the schemas
//! are not vacuous.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::runs::{demo, lint, python, scratch};
use crate::support::shipcheck;

/// Validates each file (JSON by extension, else YAML) and prints `ok PATH` or
/// `invalid PATH` followed by the errors.
const VALIDATE: &str = r#"
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
for path in sys.argv[2:]:
    with open(path) as f:
        doc = json.load(f) if path.endswith('.json') else yaml.safe_load(f)
    errors = list(validator.iter_errors(doc))
    print(('ok ' if not errors else 'invalid ') + path)
    for e in errors[:5]:
        print('    at', list(e.absolute_path), ':', e.message[:400])
"#;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema(which: &str, dir: &Path) -> PathBuf {
    let run = shipcheck(&["schema", which], &[], dir);
    assert_eq!(run.status.code(), Some(0));
    let path = dir.join(format!("{which}.schema.json"));
    let v: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    std::fs::write(&path, &run.stdout).unwrap();
    path
}

/// `path → (valid, output)` for each file; `None` when the validator is not installed.
fn validate(schema: &Path, files: &[PathBuf]) -> Option<BTreeMap<PathBuf, (bool, String)>> {
    let mut args = vec![schema.to_str().unwrap()];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = python(VALIDATE, "jsonschema, yaml", &args)?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut results = BTreeMap::new();
    for f in files {
        let ok = text.lines().any(|l| l == format!("ok {}", f.display()));
        let bad = text
            .lines()
            .any(|l| l == format!("invalid {}", f.display()));
        assert!(ok != bad, "{} not validated:\n{text}", f.display());
        results.insert(f.clone(), (ok, text.clone()));
    }
    Some(results)
}

fn assert_all_valid(schema: &Path, files: &[PathBuf]) {
    if let Some(results) = validate(schema, files) {
        for (f, (ok, text)) in results {
            assert!(ok, "{} does not validate:\n{text}", f.display());
        }
    }
}

fn assert_all_invalid(schema: &Path, files: &[PathBuf]) {
    if let Some(results) = validate(schema, files) {
        for (f, (ok, text)) in results {
            assert!(!ok, "{} validates but must not:\n{text}", f.display());
        }
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// Whether YAML text is a whole plan (top-level `name:` and `checks:`).
fn is_plan(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("name:")) && text.lines().any(|l| l.starts_with("checks:"))
}

/// The fenced `yaml` blocks of a Markdown file.
fn yaml_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_start().starts_with("```")) {
            (None, true) if line.trim_start() == "```yaml" => cur = Some(String::new()),
            (Some(_), true) => out.extend(cur.take()),
            (Some(buf), false) => {
                buf.push_str(line);
                buf.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_example_plan_validates_against_the_plan_schema() {
    let dir = scratch("schema-plan");
    let schema_path = schema("plan", &dir);
    let mut plans = Vec::new();
    let mut examples = Vec::new();
    yaml_files(&repo().join("examples"), &mut examples);
    for p in examples {
        if is_plan(&std::fs::read_to_string(&p).unwrap()) {
            plans.push(p);
        }
    }
    assert!(!plans.is_empty(), "no example plans found");
    plans.push(repo().join("crates/shipcheck/src/commands/demo_plan.yaml"));
    // Whole plans written in the docs.
    for (i, block) in yaml_blocks(&std::fs::read_to_string(repo().join("docs/plan.md")).unwrap())
        .into_iter()
        .filter(|b| is_plan(b))
        .enumerate()
    {
        let p = dir.join(format!("docs-plan-{i}.yaml"));
        std::fs::write(&p, block).unwrap();
        plans.push(p);
    }
    // Each probe kind's documented example (docs/probes/<kind>.md), as a plan.
    for kind in shipcheck_probe::KINDS.iter() {
        let checks: String = kind
            .doc()
            .example
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect();
        let p = dir.join(format!("probe-{}.yaml", kind.name()));
        std::fs::write(&p, format!("name: example\nchecks:\n{checks}")).unwrap();
        plans.push(p);
    }
    // Integers and booleans may come from the environment (a string until expanded).
    let expanded = dir.join("expanded.yaml");
    let text = "name: x\ndefaults: { concurrency: \"${CONC:-4}\" }\nchecks:\n  - id: a\n    tcp: \"h:1\"\n    critical: \"${CRITICAL:-true}\"\n    retry: { attempts: \"${TRIES:-2}\", delay: 1s }\n";
    std::fs::write(&expanded, text).unwrap();
    assert!(
        shipcheck_plan::load_str(text, &expanded, &|_| None, shipcheck_probe::KINDS).is_ok(),
        "the loader takes it"
    );
    plans.push(expanded);
    assert_all_valid(&schema_path, &plans);

    // Editors complete from the schema: every kind is a check key, with its own keys.
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap()).unwrap();
    for kind in shipcheck_probe::KINDS.iter() {
        assert!(
            schema["$defs"]["check"]["properties"][kind.name()].is_object(),
            "{}",
            kind.name()
        );
    }
    assert!(schema["$defs"]["probe.http"]["properties"]["get"].is_object());
    assert!(schema["$defs"]["expect.http"]["properties"]["status"].is_object());
}

#[test]
fn broken_plans_do_not_validate() {
    let dir = scratch("schema-plan-broken");
    let schema_path = schema("plan", &dir);
    let cases = [
        // An unknown top-level key.
        "name: x\nchekcs: []\nchecks:\n  - { id: a, tcp: \"h:1\" }\n",
        // Two probes in one check.
        "name: x\nchecks:\n  - { id: a, tcp: \"h:1\", dns: { name: h } }\n",
        // No probe.
        "name: x\nchecks:\n  - { id: a, expect: { status: 200 } }\n",
        // An expectation of another kind.
        "name: x\nchecks:\n  - { id: a, tcp: \"h:1\", expect: { status: 200 } }\n",
        // An unknown key of a kind.
        "name: x\nchecks:\n  - { id: a, http: { get: \"http://h/\", hedaers: {} } }\n",
        // A bad id and a non-boolean `critical`.
        "name: x\nchecks:\n  - { id: \"a b\", tcp: \"h:1\" }\n",
        "name: x\nchecks:\n  - { id: a, tcp: \"h:1\", critical: maybe }\n",
    ];
    let mut files = Vec::new();
    for (i, text) in cases.iter().enumerate() {
        let p = dir.join(format!("broken-{i}.yaml"));
        std::fs::write(&p, text).unwrap();
        // The loader refuses each as well: the schema and the loader agree.
        let env = |_: &str| None;
        assert!(
            shipcheck_plan::load_str(text, &p, &env, shipcheck_probe::KINDS).is_err(),
            "{text}"
        );
        files.push(p);
    }
    assert_all_invalid(&schema_path, &files);
}

#[test]
fn every_saved_report_validates_against_the_report_schema() {
    let dir = scratch("schema-report");
    let schema_path = schema("report", &dir);
    let mut reports: Vec<PathBuf> = ["healthy", "slow", "schema-drift"]
        .iter()
        .map(|s| demo(s).report())
        .collect();
    reports.push(lint().report());
    for r in &reports {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(r).unwrap()).unwrap();
        assert_eq!(v["schema_version"], 1, "{}", r.display());
    }
    assert_all_valid(&schema_path, &reports);
    // A report with a status no version writes does not validate.
    let mut bad: Value =
        serde_json::from_str(&std::fs::read_to_string(demo("healthy").report()).unwrap()).unwrap();
    bad["checks"][0]["status"] = "kind-of".into();
    let bad_path = dir.join("bad-report.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    assert_all_invalid(&schema_path, &[bad_path]);
}

#[test]
fn every_config_file_validates_against_the_config_schema() {
    let dir = scratch("schema-config");
    let schema_path = schema("config", &dir);
    let mut configs = Vec::new();
    let fixtures = repo().join("crates/shipcheck_lint/resources/test/fixtures");
    let mut all = Vec::new();
    yaml_files(&fixtures, &mut all);
    configs.extend(all.into_iter().filter(|p| p.ends_with(".shipcheck.yaml")));
    assert!(!configs.is_empty());
    let documented = yaml_blocks(&std::fs::read_to_string(repo().join("docs/lint.md")).unwrap())
        .into_iter()
        .find(|b| b.starts_with("rules:"))
        .expect("docs/lint.md documents .shipcheck.yaml");
    let doc_path = dir.join("documented.shipcheck.yaml");
    std::fs::write(&doc_path, documented).unwrap();
    configs.push(doc_path);
    assert_all_valid(&schema_path, &configs);
    let mut broken = Vec::new();
    for (i, text) in [
        "rules:\n  k8s/no-such-rule: off\n",
        "rules:\n  k8s/privileged-container: loud\n",
        "options:\n  kubernetes_version: \"one\"\n",
        "rulez: {}\n",
    ]
    .iter()
    .enumerate()
    {
        let p = dir.join(format!("broken-{i}.yaml"));
        std::fs::write(&p, text).unwrap();
        broken.push(p);
    }
    assert_all_invalid(&schema_path, &broken);
}
