//! The drill's timeline for people and charts: the stretches as text (not one row per
//! probe), per-phase latency percentiles, failures by class, version shares, and the
//! series `report.json` keeps.

use std::fmt::Write as _;

use shipcheck_report::{Evidence, MeasureUnit, Measurement, Point, Series};

use super::command::Ended;
use super::facts::StepOutcome;
use super::spec::DrillProbe;
use super::timeline::{Stretch, Timeline};

/// Stretches listed in the evidence (the first and the last half of them when more).
const LISTED: usize = 40;

/// Measurements beyond the facts: failures by class, latency per phase, schedule
/// lateness, version shares.
pub(super) fn extra_measurements(t: &Timeline) -> Vec<Measurement> {
    let mut out = Vec::new();
    for (class, n) in &t.by_class {
        out.push(Measurement::new(format!("failed_probes[{class}]"), *n as f64, MeasureUnit::Count));
    }
    out.push(Measurement::new("baseline_failed_probes", t.failed_before as f64, MeasureUnit::Count));
    for (phase, s) in ["before", "during", "after"].iter().zip(&t.latency) {
        if let Some([p50, p95, p99]) = s.percentiles([50.0, 95.0, 99.0]) {
            for (name, v) in [("p50", p50), ("p95", p95), ("p99", p99)] {
                out.push(Measurement::new(format!("{phase}.{name}"), v, MeasureUnit::Ms));
            }
        }
    }
    if let Some([p50, p99, max]) = t.lateness.percentiles([50.0, 99.0, 100.0]) {
        for (name, v) in [("p50", p50), ("p99", p99), ("max", max)] {
            out.push(Measurement::new(format!("send_lateness.{name}"), v, MeasureUnit::Ms));
        }
    }
    if let Some([p50, p99, max]) = t.spawn_lateness.percentiles([50.0, 99.0, 100.0]) {
        for (name, v) in [("p50", p50), ("p99", p99), ("max", max)] {
            out.push(Measurement::new(format!("schedule_lateness.{name}"), v, MeasureUnit::Ms));
        }
    }
    for (version, share) in t.versions.shares_after() {
        out.push(Measurement::new(format!("version_share[{version}]"), share, MeasureUnit::Ratio));
    }
    out
}

/// The timeline as text: the phases, then one row per stretch.
pub(super) fn timeline_text(t: &Timeline, probe: &str, p: &DrillProbe, unanswered: u64) -> String {
    let mut s = format!(
        "probe {probe} every {} ms ({}), timeout {} ms\n",
        p.every.as_secs_f64() * 1000.0,
        if p.reuse { "connection reused" } else { "new connection per probe" },
        p.probe_timeout.as_millis()
    );
    let _ = writeln!(
        s,
        "baseline until {:.0} ms · command until {:.0} ms · settle until the end",
        t.command_start_ms.unwrap_or(0.0),
        t.command_end_ms.unwrap_or(0.0)
    );
    let _ = writeln!(
        s,
        "{} probes, {} not up, longest down stretch {:.1} ms, down in all {:.1} ms",
        t.total, t.failed, t.downtime_ms, t.failed_time_ms
    );
    if unanswered > 0 {
        let _ = writeln!(s, "{unanswered} probes still unanswered when the drill ended (not counted)");
    }
    let _ = writeln!(s, "\n{:>10} {:>10}  {:<5} {:>7}  detail", "from ms", "to ms", "state", "probes");
    let row = |s: &mut String, st: &Stretch| {
        let mut detail: Vec<String> = st.classes.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        detail.extend(st.versions.iter().map(|v| format!("version {v}")));
        let _ = writeln!(
            s,
            "{:>10.1} {:>10.1}  {:<5} {:>7}  {}",
            st.start_ms,
            st.end_ms,
            if st.up { "up" } else { "DOWN" },
            st.probes,
            detail.join(", ")
        );
    };
    let n = t.stretches.len();
    if n <= LISTED {
        t.stretches.iter().for_each(|st| row(&mut s, st));
    } else {
        t.stretches[..LISTED / 2].iter().for_each(|st| row(&mut s, st));
        let _ = writeln!(s, "… {} stretches not listed …", n - LISTED);
        t.stretches[n - LISTED / 2..].iter().for_each(|st| row(&mut s, st));
    }
    if t.stretches_unlisted > 0 {
        let _ = writeln!(s, "… and {} later stretches (measured, not kept)", t.stretches_unlisted);
    }
    s
}

/// A command's line, exit and the end of its output.
pub(super) fn command_evidence(e: &Ended, cap: usize) -> Evidence {
    let code = match e.exit_code {
        _ if e.stopped => "stopped: the run was interrupted (SIGTERM, then SIGKILL)".to_owned(),
        _ if e.timed_out => "stopped at its deadline (SIGTERM, then SIGKILL)".to_owned(),
        Some(c) => format!("exit code {c}"),
        None => "ended by a signal".to_owned(),
    };
    let tail = |text: &str| {
        let mut start = text.len().saturating_sub(cap / 2);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        text[start..].to_owned()
    };
    Evidence {
        label: "command".into(),
        text: format!(
            "$ {}\n{code} after {:.1} ms\n\nstdout (end)\n{}\n\nstderr (end)\n{}",
            e.line,
            e.duration_ms,
            tail(&e.stdout_tail),
            tail(&e.stderr_tail)
        ),
        truncated: false,
    }
}

/// Each step and its transition time.
pub(super) fn steps_evidence(steps: &[StepOutcome]) -> Evidence {
    let mut s = String::new();
    for st in steps {
        let _ = match (st.ok, st.reached_ms) {
            (true, Some(ms)) => writeln!(s, "{}: reached after {ms:.1} ms", st.name),
            (true, None) => writeln!(s, "{}: done", st.name),
            (false, _) => writeln!(s, "{}: FAILED — {}", st.name, st.why.as_deref().unwrap_or("")),
        };
    }
    Evidence {
        label: "steps".into(),
        text: s,
        truncated: false,
    }
}

/// `up` (1/0 at each change), `latency` (the highest per window) and `version` (the
/// index, in order of first appearance, at each change).
pub(super) fn series(t: &Timeline) -> Vec<Series> {
    let mut up = Vec::with_capacity(t.stretches.len() + 1);
    for st in &t.stretches {
        up.push(Point {
            t_ms: st.start_ms,
            value: f64::from(u8::from(st.up)),
        });
    }
    if let Some(last) = t.stretches.last() {
        up.push(Point {
            t_ms: last.end_ms,
            value: f64::from(u8::from(last.up)),
        });
    }
    let latency = t
        .latency_points
        .iter()
        .map(|(t_ms, value)| Point {
            t_ms: *t_ms,
            value: *value,
        })
        .collect();
    let mut out = vec![
        Series {
            name: "up".into(),
            unit: MeasureUnit::Count,
            points: up,
        },
        Series {
            name: "latency".into(),
            unit: MeasureUnit::Ms,
            points: latency,
        },
    ];
    let version: Vec<Point> = t
        .version_changes
        .iter()
        .map(|(t_ms, i)| Point {
            t_ms: *t_ms,
            value: *i as f64,
        })
        .collect();
    if !version.is_empty() {
        out.push(Series {
            name: "version".into(),
            unit: MeasureUnit::Count,
            points: version,
        });
    }
    out
}
