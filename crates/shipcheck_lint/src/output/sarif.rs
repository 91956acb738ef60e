//! SARIF 2.1.0 output (hand-written structs). Rule metadata carries the help text from the
//! rule docs; every result has a physical location with `startLine`/`startColumn`.

use std::collections::BTreeMap;
use std::io;

use serde::Serialize;
use shipcheck_report::{Finding, Severity};

use crate::Rule;

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
    version: &'static str,
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

/// The first sentence of the "What it does" section.
fn short_description(doc: &str) -> String {
    let body: String = doc
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("## What it does"))
        .skip(1)
        .take_while(|l| !l.starts_with("##"))
        .collect::<Vec<_>>()
        .join(" ");
    let body = body.trim();
    match body.find(". ") {
        Some(i) => body[..=i].to_owned(),
        None => body.to_owned(),
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

/// Builds the SARIF document as a JSON value.
pub fn sarif_value(findings: &[Finding]) -> serde_json::Value {
    let mut used: BTreeMap<&str, Rule> = BTreeMap::new();
    for f in findings {
        if let Some(r) = Rule::from_code(&f.rule) {
            used.insert(r.code(), r);
        }
    }
    let rules: Vec<ReportingDescriptor> = used
        .values()
        .map(|r| {
            let doc = crate::explain::explain_text(*r);
            ReportingDescriptor {
                id: r.code().to_owned(),
                name: r.name().to_owned(),
                short_description: Text {
                    text: short_description(&doc),
                },
                full_description: Text {
                    text: short_description(&doc),
                },
                help: Help {
                    text: doc.clone(),
                    markdown: doc,
                },
                default_configuration: Configuration {
                    level: level(r.default_severity()),
                },
            }
        })
        .collect();
    let index: BTreeMap<&str, usize> = used.keys().enumerate().map(|(i, k)| (*k, i)).collect();
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
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "shipcheck",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://example.invalid/shipcheck",
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_value(&log).unwrap_or(serde_json::Value::Null)
}

/// Renders findings as SARIF 2.1.0.
pub fn render_sarif(findings: &[Finding], out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif_value(findings)).map_err(io::Error::other)?;
    writeln!(out)
}
