//! Inline SVG charts for the HTML report: a strip chart of values per group (check
//! durations per kind) and a time-series chart for any [`Series`] (a load timeline, a
//! drill's probes). A series whose values are all 0 or 1 is drawn as an up/down band with
//! the down stretches shaded. Charts know the report model only, never a probe kind.

use std::fmt::Write as _;

use shipcheck_report::{MeasureUnit, Series};

use super::esc;
use crate::text::{fmt_ms, fmt_number};

const WIDTH: f64 = 720.0;
const LEFT: f64 = 130.0;
const RIGHT: f64 = 20.0;
const ROW: f64 = 26.0;
/// Most points drawn per series; longer series are reduced to this many by taking the
/// extreme value of each bucket, so a spike is never averaged away.
const MAX_POINTS: usize = 1_000;

fn fmt_value(v: f64, unit: MeasureUnit) -> String {
    match unit {
        MeasureUnit::Ms => fmt_ms(v),
        MeasureUnit::Bytes => format!("{} B", fmt_number(v)),
        MeasureUnit::Ratio => format!("{}%", fmt_number(v * 100.0)),
        MeasureUnit::Days => format!("{} days", fmt_number(v)),
        MeasureUnit::Count => fmt_number(v),
    }
}

/// A strip chart: one row per group, a dot per value, a tick at the median.
pub(crate) fn strip_chart(title: &str, groups: &[(String, Vec<f64>)]) -> String {
    let max = groups
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let height = ROW * groups.len() as f64 + 40.0;
    let x = |v: f64| LEFT + (v / max) * (WIDTH - LEFT - RIGHT);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart strip" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"><title>{}</title>"#,
        esc(title)
    );
    for (i, (name, values)) in groups.iter().enumerate() {
        let y = 20.0 + ROW * i as f64 + ROW / 2.0;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" class="label" text-anchor="end">{}</text><line x1="{LEFT}" x2="{}" y1="{y}" y2="{y}" class="grid"/>"#,
            LEFT - 8.0,
            y + 4.0,
            esc(name),
            WIDTH - RIGHT
        );
        for v in values.iter().filter(|v| v.is_finite()) {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{y}" r="4" class="dot"><title>{} {}</title></circle>"#,
                x(*v),
                esc(name),
                esc(&fmt_ms(*v))
            );
        }
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        if let Some(median) = sorted.get(sorted.len().saturating_sub(1) / 2) {
            let _ = write!(
                s,
                r#"<line x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" class="median"/>"#,
                x(*median),
                y - 9.0,
                y + 9.0
            );
        }
    }
    axis(&mut s, height - 14.0, max, MeasureUnit::Ms);
    s.push_str("</svg>");
    s
}

fn axis(s: &mut String, y: f64, max: f64, unit: MeasureUnit) {
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let x = LEFT + (v / max) * (WIDTH - LEFT - RIGHT);
        let _ = write!(
            s,
            r#"<text x="{x:.1}" y="{y}" class="tick" text-anchor="middle">{}</text>"#,
            esc(&fmt_value(v, unit))
        );
    }
}

/// At most [`MAX_POINTS`] points, keeping each bucket's extreme (for up/down series, its
/// minimum: a down probe is never hidden).
fn reduce(series: &Series, binary: bool) -> Vec<(f64, f64)> {
    let pts: Vec<(f64, f64)> = series
        .points
        .iter()
        .filter(|p| p.t_ms.is_finite() && p.value.is_finite())
        .map(|p| (p.t_ms, p.value))
        .collect();
    if pts.len() <= MAX_POINTS {
        return pts;
    }
    let per = pts.len().div_ceil(MAX_POINTS);
    pts.chunks(per)
        .filter_map(|chunk| {
            let pick = if binary {
                chunk.iter().min_by(|a, b| a.1.total_cmp(&b.1))
            } else {
                chunk.iter().max_by(|a, b| a.1.total_cmp(&b.1))
            };
            pick.copied()
        })
        .collect()
}

/// A time-series chart of one series (time in seconds since the check started).
pub(crate) fn series_chart(check: &str, series: &Series) -> String {
    let binary = !series.points.is_empty()
        && series
            .points
            .iter()
            .all(|p| p.value == 0.0 || p.value == 1.0);
    let pts = reduce(series, binary);
    let t_max = pts.iter().map(|p| p.0).fold(0.0_f64, f64::max).max(1.0);
    let v_max = pts.iter().map(|p| p.1).fold(0.0_f64, f64::max).max(1e-9);
    let (top, plot_h) = (14.0, 120.0);
    let height = top + plot_h + 34.0;
    let x = |t: f64| LEFT + (t / t_max) * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| top + plot_h - (v / v_max) * plot_h;
    let title = format!("{check}: {}", series.name);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart series{}" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"><title>{}</title>"#,
        if binary { " updown" } else { "" },
        esc(&title)
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" class="label" text-anchor="end">{}</text>"#,
        LEFT - 8.0,
        top + plot_h / 2.0,
        esc(&series.name)
    );
    let _ = write!(
        s,
        r#"<rect x="{LEFT}" y="{top}" width="{}" height="{plot_h}" class="frame"/>"#,
        WIDTH - LEFT - RIGHT
    );
    if binary {
        // Shade each down stretch: from a 0 point to the next 1 point (or the end).
        let mut down_from: Option<f64> = None;
        for &(t, v) in &pts {
            match (v == 0.0, down_from) {
                (true, None) => down_from = Some(t),
                (false, Some(from)) => {
                    shade(&mut s, x(from), x(t), top, plot_h);
                    down_from = None;
                }
                _ => {}
            }
        }
        if let Some(from) = down_from {
            shade(&mut s, x(from), x(t_max), top, plot_h);
        }
    }
    let line: Vec<String> = pts
        .iter()
        .map(|&(t, v)| format!("{:.1},{:.1}", x(t), y(v)))
        .collect();
    if !line.is_empty() {
        let _ = write!(
            s,
            r#"<polyline points="{}" class="{}"/>"#,
            line.join(" "),
            if binary { "step" } else { "line" }
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>"#,
        LEFT - 8.0,
        top + 10.0,
        esc(&fmt_value(v_max, series.unit))
    );
    for i in 0..=4 {
        let t = t_max * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" class="tick" text-anchor="middle">{} s</text>"#,
            x(t),
            top + plot_h + 16.0,
            fmt_number(t / 1000.0)
        );
    }
    s.push_str("</svg>");
    s
}

fn shade(s: &mut String, x0: f64, x1: f64, top: f64, h: f64) {
    let _ = write!(
        s,
        r#"<rect x="{x0:.1}" y="{top}" width="{:.1}" height="{h}" class="down"/>"#,
        (x1 - x0).max(1.0)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipcheck_report::Point;

    fn series(values: &[(f64, f64)]) -> Series {
        Series {
            name: "probe up".into(),
            unit: MeasureUnit::Count,
            points: values
                .iter()
                .map(|&(t_ms, value)| Point { t_ms, value })
                .collect(),
        }
    }

    #[test]
    fn down_stretches_are_shaded() {
        let svg = series_chart(
            "drill",
            &series(&[
                (0.0, 1.0),
                (10.0, 0.0),
                (20.0, 0.0),
                (30.0, 1.0),
                (40.0, 0.0),
            ]),
        );
        assert!(svg.contains("updown"));
        assert_eq!(svg.matches(r#"class="down""#).count(), 2, "{svg}");
    }

    #[test]
    fn long_series_are_reduced_without_hiding_a_down_probe() {
        let mut pts: Vec<(f64, f64)> = (0..100_000).map(|i| (f64::from(i), 1.0)).collect();
        pts[54_321].1 = 0.0;
        let s = series(&pts);
        let reduced = reduce(&s, true);
        assert!(reduced.len() <= MAX_POINTS);
        assert!(reduced.iter().any(|p| p.1 == 0.0));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = strip_chart("t", &[("<script>".into(), vec![1.0])]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
