//! SARIF 2.1.0 (hand-written structs). Rule metadata comes from the report's `rules`
//! table (help text from the rule docs); every result has a physical location with
//! `startLine`/`startColumn`. Checks that could not run are not SARIF results.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use shipcheck_report::{Report, Severity};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};

/// Renders SARIF 2.1.0 (for code-scanning UIs).
pub(crate) struct SarifRenderer;

impl Render for SarifRenderer {
    fn render(
        &self,
        report: &Report,
        _cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        serde_json::to_writer_pretty(&mut *out, &sarif_log(report)).map_err(RenderError::Json)?;
        out.write_all(b"\n").map_err(RenderError::write("sarif"))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    version: String,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference (spaces and `%` escaped, `\` as `/`).
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => s.push('/'),
            ' ' => s.push_str("%20"),
            '%' => s.push_str("%25"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            _ => s.push(c),
        }
    }
    s
}

/// Builds the SARIF log of the report's findings.
fn sarif_log(report: &Report) -> Log {
    let findings = &report.findings;
    let rules: Vec<ReportingDescriptor> = report
        .rules
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.id.clone(),
            name: r.name.clone(),
            short_description: Text {
                text: r.summary.clone(),
            },
            full_description: Text {
                text: r.summary.clone(),
            },
            help: Help {
                text: r.help.clone(),
                markdown: r.help.clone(),
            },
            default_configuration: Configuration {
                level: level(r.default_severity),
            },
        })
        .collect();
    let index: BTreeMap<&str, usize> = report
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results = findings
        .iter()
        .map(|f| SarifResult {
            rule_id: f.rule.clone(),
            rule_index: index.get(f.rule.as_str()).copied(),
            level: level(f.severity),
            message: Text {
                text: match &f.help {
                    Some(h) => format!("{} ({h})", f.message),
                    None => f.message.clone(),
                },
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: uri(&f.path) },
                    region: Region {
                        start_line: f.line.max(1),
                        start_column: f.column.max(1),
                        end_line: f.end_line.map(|l| l.max(f.line.max(1))),
                        end_column: f.end_column.map(|c| c.max(1)),
                        snippet: f.snippet.clone().map(|text| Text { text }),
                    },
                },
            }],
        })
        .collect();
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "shipcheck",
                    version: report.run.version.clone(),
                    information_uri: "https://example.invalid/shipcheck",
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::fixtures;
    use crate::{Format, RenderConfig, render_to_string};

    fn sarif(report: &shipcheck_report::Report) -> Value {
        let text = render_to_string(Format::Sarif, report, &RenderConfig::default()).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The official schema, with its stray-`]` `language` pattern fixed in memory.
    fn validator() -> jsonschema::Validator {
        fn fix(v: &mut Value) {
            match v {
                Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
                    *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                }
                Value::Array(a) => a.iter_mut().for_each(fix),
                Value::Object(o) => o.values_mut().for_each(fix),
                _ => {}
            }
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/schemas/sarif-schema-2.1.0.json");
        let mut schema: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        fix(&mut schema);
        jsonschema::validator_for(&schema).unwrap()
    }

    #[test]
    fn validates_against_the_schema_for_lint_and_verify_reports() {
        let v = validator();
        for report in [
            fixtures::lint_run(),
            fixtures::mixed(),
            fixtures::all_passed(),
        ] {
            let doc = sarif(&report);
            let errors: Vec<String> = v.iter_errors(&doc).take(5).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:#?}");
            let results = doc["runs"][0]["results"].as_array().unwrap();
            assert_eq!(results.len(), report.findings.len());
        }
    }

    #[test]
    fn rule_help_comes_from_the_report_rules_table() {
        let report = fixtures::lint_run();
        let doc = sarif(&report);
        let rules = doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), report.rules.len());
        for r in doc["runs"][0]["results"].as_array().unwrap() {
            let i = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
            assert_eq!(rules[i]["id"], r["ruleId"]);
            assert!(
                rules[i]["help"]["markdown"]
                    .as_str()
                    .unwrap()
                    .contains("## Why is this bad?")
            );
        }
    }
}
