//! Suppressions: `# shipcheck-ignore <id>[,<id>…]: <reason>` comments (on the line or the
//! line above) and the `shipcheck.dev/ignore` annotation (the whole object).

use std::sync::LazyLock;

use regex::Regex;
use shipcheck_source::yaml::Node as Y;
use shipcheck_source::{SourceFile, Span, TextRange};

use crate::Rule;
use crate::config::rule_pattern_matches;
use crate::context::Diagnostic;
use crate::k8s::K8sObject;

static COMMENT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"#\s*shipcheck-ignore(?:\s+([^:\n]*))?(?::[ \t]*([^\n]*))?").ok());

/// One suppression.
#[derive(Debug, Clone)]
pub(crate) struct Suppression {
    /// Rule patterns (`id`, `family/*`, `*`).
    pub(crate) ids: Vec<String>,
    /// The reason; `None` or empty is itself a finding.
    pub(crate) reason: Option<String>,
    /// Where the suppression is written.
    pub(crate) span: Span,
    /// What it covers.
    pub(crate) scope: Span,
}

/// Splits `id[,id…]: reason`.
fn parse_spec(ids: &str, reason: Option<&str>) -> (Vec<String>, Option<String>) {
    let ids = ids
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let reason = reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    (ids, reason)
}

/// Comment suppressions of a file. Each covers its own line and the next one.
pub(crate) fn comment_suppressions(file: &SourceFile) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !file.text.contains("shipcheck-ignore") {
        return out;
    }
    let Some(re) = COMMENT.as_ref() else {
        return out;
    };
    for caps in re.captures_iter(&file.text) {
        let Some(m) = caps.get(0) else { continue };
        let (ids, reason) = parse_spec(
            caps.get(1).map_or("", |c| c.as_str()),
            caps.get(2).map(|c| c.as_str()),
        );
        let line = file
            .line_col(u32::try_from(m.start()).unwrap_or(u32::MAX))
            .line;
        let this = file.lines.line_range(&file.text, line);
        let next = file.lines.line_range(&file.text, line + 1);
        out.push(Suppression {
            ids,
            reason,
            span: file.span(TextRange::from_usize(m.start(), m.end())),
            scope: file.span(TextRange::new(this.start, next.end.max(this.end))),
        });
    }
    out
}

/// The annotation suppressions of an object (covering the whole object).
pub(crate) fn annotation_suppressions(obj: &K8sObject<'_>) -> Vec<Suppression> {
    obj.ignore_annotations()
        .into_iter()
        .map(|a: &Y| {
            let text = a.as_str().unwrap_or("");
            let (ids, reason) = match text.split_once(':') {
                Some((i, r)) => parse_spec(i, Some(r)),
                None => parse_spec(text, None),
            };
            Suppression {
                ids,
                reason,
                span: obj.span(a),
                scope: obj.span(obj.node),
            }
        })
        .collect()
}

/// Drops the diagnostics a suppression covers. One sweep over both, sorted by position,
/// keeping only the suppressions whose scope is still open: linear for comment
/// suppressions (each covers two lines), where testing every pair was quadratic.
pub(crate) fn drop_suppressed(diags: &mut Vec<Diagnostic>, sups: &[Suppression]) {
    if sups.is_empty() {
        return;
    }
    let mut order: Vec<&Suppression> = sups.iter().collect();
    order.sort_by_key(|s| (s.scope.file, s.scope.range.start));
    diags.sort_by_key(|d| (d.span.file, d.span.range.start));
    let mut next = 0;
    let mut open: Vec<&Suppression> = Vec::new();
    diags.retain(|d| {
        let at = (d.span.file, d.span.range.start);
        while let Some(s) = order.get(next)
            && (s.scope.file, s.scope.range.start) <= at
        {
            open.push(s);
            next += 1;
        }
        // Later diagnostics are at or after this position: a scope that ended before it,
        // or belongs to an earlier file, covers none of them.
        open.retain(|s| s.scope.file == d.span.file && s.scope.range.end >= d.span.range.start);
        !open.iter().any(|s| s.covers(d))
    });
}

impl Suppression {
    /// True when this suppression covers `d`.
    pub(crate) fn covers(&self, d: &Diagnostic) -> bool {
        self.scope.file == d.span.file
            && self
                .scope
                .range
                .contains_range(TextRange::empty(d.span.range.start))
            && self.ids.iter().any(|p| rule_pattern_matches(p, d.rule))
    }

    /// IDs that name no rule.
    pub(crate) fn unknown_ids(&self) -> Vec<&str> {
        self.ids
            .iter()
            .filter(|p| !Rule::ALL.iter().any(|r| rule_pattern_matches(p, *r)))
            .map(String::as_str)
            .collect()
    }
}
