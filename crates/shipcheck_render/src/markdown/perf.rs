//! `## Performance`: every measurement with a target (value vs target), then the
//! informational timings summarised per check kind and metric, not one row per phase.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use shipcheck_report::{CheckResult, MeasureUnit, Measurement, Report};

use super::{met_cell, row, table_head};
use crate::md_escape::{cell, code};
use crate::text::{fmt_measurement, fmt_ms};

/// Informational timings of one kind and metric, across checks.
#[derive(Default)]
pub(crate) struct TimingGroup {
    /// The values in milliseconds, sorted.
    pub(crate) values: Vec<f64>,
}

impl TimingGroup {
    /// The median (the lower middle value for an even count).
    pub(crate) fn median(&self) -> f64 {
        self.values
            .get(self.values.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0.0)
    }

    /// The largest value.
    pub(crate) fn max(&self) -> f64 {
        self.values.last().copied().unwrap_or(0.0)
    }
}

/// Informational (untargeted) millisecond timings grouped by check kind and metric name.
pub(crate) fn timing_groups(report: &Report) -> BTreeMap<(String, String), TimingGroup> {
    let mut groups: BTreeMap<(String, String), TimingGroup> = BTreeMap::new();
    for c in &report.checks {
        for m in &c.measurements {
            if m.target.is_none() && m.unit == MeasureUnit::Ms && m.value.is_finite() {
                groups
                    .entry((c.kind.clone(), m.name.clone()))
                    .or_default()
                    .values
                    .push(m.value);
            }
        }
    }
    for g in groups.values_mut() {
        g.values.sort_by(f64::total_cmp);
    }
    groups
}

/// Every measurement that has a target, with its check, in report order.
pub(crate) fn targeted(report: &Report) -> Vec<(&CheckResult, &Measurement)> {
    report
        .checks
        .iter()
        .flat_map(|c| c.measurements.iter().map(move |m| (c, m)))
        .filter(|(_, m)| m.target.is_some())
        .collect()
}

pub(super) fn performance(s: &mut String, report: &Report) {
    let _ = writeln!(s, "## Performance\n");
    let targeted = targeted(report);
    let groups = timing_groups(report);
    if targeted.is_empty() && groups.is_empty() {
        let _ = writeln!(s, "No measurements were recorded.\n");
        return;
    }
    if targeted.is_empty() {
        let _ = writeln!(s, "No measurement had a target.\n");
    } else {
        table_head(s, &["Check", "Metric", "Value", "Target", "Status"]);
        for (c, m) in targeted {
            row(
                s,
                &[
                    &code(&c.id, true),
                    &cell(&m.name),
                    &fmt_measurement(m),
                    &cell(m.target.as_deref().unwrap_or("")),
                    met_cell(m.met),
                ],
            );
        }
        s.push('\n');
    }
    if !groups.is_empty() {
        let _ = writeln!(
            s,
            "Timings without a target (informational), per kind of check:\n"
        );
        table_head(s, &["Kind", "Metric", "Checks", "Median", "Max"]);
        for ((kind, metric), g) in &groups {
            row(
                s,
                &[
                    &cell(kind),
                    &cell(metric),
                    &g.values.len().to_string(),
                    &fmt_ms(g.median()),
                    &fmt_ms(g.max()),
                ],
            );
        }
        s.push('\n');
    }
}
