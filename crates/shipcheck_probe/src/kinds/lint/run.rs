//! The `lint` probe: runs the production-readiness linter over the plan's paths and
//! reports the findings as facts; whether they fail the check is an expectation
//! (`findings at or above fail_on == 0`), evaluated generically.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use shipcheck_lint::{LintOptions, lint_paths};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, Finding, Measurement};

use super::facts::LintFacts;
use super::spec::LintProbe;

/// Findings listed in the evidence (all of them are in the report's findings).
const EVIDENCE_FINDINGS: usize = 50;

pub(super) async fn observe(p: &LintProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let paths = p.paths.clone();
    let opts = LintOptions {
        config: p.config.clone(),
        namespace: p.namespace.clone(),
    };
    // A plain thread, not tokio's blocking pool: the pool is joined when the runtime is
    // dropped, so a walk that outlives its timeout (a huge tree, a FIFO) would hold the
    // whole run past every timeout. A detached thread is abandoned at the timeout and
    // ends with the process.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("shipcheck-lint".into())
        .spawn(move || {
            let _ = tx.send(lint_paths(&paths, &opts));
        })
        .map_err(|e| {
            ProbeError::new(
                FailureClass::Protocol,
                format!("cannot start the lint thread: {e}"),
            )
        })?;
    let outcome = match tokio::time::timeout(cx.timeout, rx).await {
        Err(_) => {
            return Err(ProbeError::new(
                FailureClass::Timeout,
                format!(
                    "linting did not finish within {}; abandoned",
                    shipcheck_plan::format_duration(cx.timeout)
                ),
            ));
        }
        Ok(Err(_)) => {
            return Err(ProbeError::new(
                FailureClass::Protocol,
                "the lint thread ended without a result",
            ));
        }
        Ok(Ok(Err(e))) => return Err(ProbeError::new(FailureClass::Connect, format!("lint: {e}"))),
        Ok(Ok(Ok(o))) => o,
    };
    let findings: Vec<Finding> = outcome
        .findings
        .into_iter()
        .map(|mut f| {
            f.path = relative(&f.path, &p.base_dir);
            f
        })
        .collect();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut text = format!(
        "linted {} file(s) under {}: {} finding(s)\n",
        outcome.files_scanned,
        p.paths
            .iter()
            .map(|path| relative(&path.display().to_string(), &p.base_dir))
            .collect::<Vec<_>>()
            .join(", "),
        findings.len()
    );
    for f in findings.iter().take(EVIDENCE_FINDINGS) {
        let _ = writeln!(
            text,
            "{}:{}:{} {} [{}] {}",
            f.path,
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.message
        );
    }
    if findings.len() > EVIDENCE_FINDINGS {
        let _ = writeln!(
            text,
            "… and {} more (see the findings section)",
            findings.len() - EVIDENCE_FINDINGS
        );
    }
    for w in &outcome.config_warnings {
        let _ = writeln!(text, "config: {w}");
    }
    let count = |n: usize, name: &str| Measurement {
        name: name.into(),
        value: n as f64,
        unit: shipcheck_report::MeasureUnit::Count,
        target: None,
        met: None,
    };
    Ok(Observed {
        evidence: vec![Evidence {
            label: "lint".into(),
            text,
            truncated: findings.len() > EVIDENCE_FINDINGS,
        }],
        measurements: vec![
            count(outcome.files_scanned, "files"),
            count(findings.len(), "findings"),
            Measurement {
                name: "total".into(),
                value: ms,
                unit: shipcheck_report::MeasureUnit::Ms,
                target: None,
                met: None,
            },
        ],
        facts: Box::new(LintFacts {
            findings: findings.clone(),
            files_scanned: outcome.files_scanned,
        }),
        sent_secrets: Vec::new(),
        timings: None,
        findings,
        series: Vec::new(),
        attachments: Vec::new(),
    })
}

/// `path` relative to `base`, when it lies under it.
fn relative(path: &str, base: &Path) -> String {
    Path::new(path)
        .strip_prefix(base)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_owned())
}
