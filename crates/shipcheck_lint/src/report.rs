//! The output boundary: a lint run becomes a [`shipcheck_report::Report`] carrying its
//! findings and the metadata of the rules behind them. Rendering is `shipcheck_render`'s job.

use shipcheck_report::{Finding, LintRun, Report, RuleInfo, RunInfo, Severity};

use crate::Rule;
use crate::engine::LintOutcome;
use crate::explain::{explain_text, summary};

/// Metadata of the rules behind `findings` (each once, sorted by id). Findings of unknown
/// rule ids are left out.
pub fn rule_infos(findings: &[Finding]) -> Vec<RuleInfo> {
    let mut rules: Vec<Rule> = findings
        .iter()
        .filter_map(|f| Rule::from_code(&f.rule))
        .collect();
    rules.sort_by_key(|r| r.code());
    rules.dedup();
    rules
        .into_iter()
        .map(|r| RuleInfo {
            id: r.code().to_owned(),
            name: r.name().to_owned(),
            summary: summary(r),
            help: explain_text(r),
            default_severity: r.default_severity(),
        })
        .collect()
}

impl LintOutcome {
    /// The report of this run: findings, the rules behind them, files scanned and the
    /// `--fail-on` threshold (`None`: findings never fail the run).
    pub fn into_report(self, run: RunInfo, fail_on: Option<Severity>) -> Report {
        let rules = rule_infos(&self.findings);
        Report::new(run, Vec::new(), self.findings)
            .with_rules(rules)
            .with_lint(LintRun {
                files_scanned: self.files_scanned,
                fail_on,
            })
    }
}
