//! Rule documentation: the text of `shipcheck rules ID` and of `docs/rules/`.

use crate::Rule;
use crate::rule::RuleStatus;

/// The rule's doc comment with the `///` indentation removed.
pub fn explain_text(rule: Rule) -> String {
    let mut s = String::new();
    for line in rule.explain().lines() {
        s.push_str(line.strip_prefix(' ').unwrap_or(line));
        s.push('\n');
    }
    s.trim_end().to_owned()
}

fn status_text(rule: Rule) -> String {
    match rule.status() {
        RuleStatus::Preview { since } => format!("preview (since {since})"),
        RuleStatus::Stable { since } => format!("stable (since {since})"),
        RuleStatus::Deprecated { since } => format!("deprecated (since {since})"),
        RuleStatus::Removed { since } => format!("removed (since {since})"),
    }
}

/// The page for one rule: title, metadata, then the docs.
pub fn rule_markdown(rule: Rule) -> String {
    format!(
        "# {code} ({name})\n\nFamily: `{family}` · Default severity: `{sev}` · {enabled} · Status: {status}\n\n{doc}\n",
        code = rule.code(),
        name = rule.name(),
        family = rule.family().as_str(),
        sev = rule.default_severity().as_str(),
        enabled = if rule.default_enabled() {
            "On by default"
        } else {
            "Off by default (enable in `.shipcheck.yaml`)"
        },
        status = status_text(rule),
        doc = explain_text(rule),
    )
}

/// The one-line summary of a rule (first sentence of "What it does").
pub fn summary(rule: Rule) -> String {
    let doc = explain_text(rule);
    let body: Vec<&str> = doc
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("## What it does"))
        .skip(1)
        .take_while(|l| !l.is_empty() && !l.starts_with("##"))
        .collect();
    let body = body.join(" ");
    match body.find(". ") {
        Some(i) => body[..=i].to_owned(),
        None => body,
    }
}

/// The index page listing every rule.
pub fn rules_index_markdown() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the rule doc comments (`crates/shipcheck_lint/src/rules/`); do not edit by hand.\n\n| ID | Severity | Default | Summary |\n|---|---|---|---|\n",
    );
    for r in Rule::ALL {
        let path = r.code();
        s.push_str(&format!(
            "| [`{path}`]({path}.md) | {} | {} | {} |\n",
            r.default_severity().as_str(),
            if r.default_enabled() { "on" } else { "off" },
            summary(*r).replace('|', "\\|"),
        ));
    }
    s
}
