//! `report.html`: one self-contained page (inline CSS and JS, inline SVG charts, no
//! network: its Content-Security-Policy forbids any fetch) with the Markdown report's
//! sections plus charts — check durations per kind, every time series a check recorded
//! (a load timeline, a drill's probes with down stretches shaded) — lint findings grouped
//! by file with code frames, and a filter that shows only the checks that did not pass.

mod charts;
mod sections;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use shipcheck_report::{Report, Status};

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};
use crate::text::fmt_ms;

/// Renders the HTML report (`report.html`).
pub(crate) struct HtmlRenderer;

impl Render for HtmlRenderer {
    fn render(
        &self,
        report: &Report,
        cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        let level = cfg.details;
        let s = crate::sanitize::render_visible(report, false, |report, _| {
            let mut s = String::with_capacity(64 * 1024);
            page_start(&mut s, report);
            sections::summary(&mut s, report);
            sections::environment(&mut s, report);
            sections::results(&mut s, report);
            charts_section(&mut s, report);
            sections::details(&mut s, report, level);
            crate::attachments::html(&mut s, report);
            sections::issues(&mut s, report);
            sections::lint_findings(&mut s, report);
            sections::performance(&mut s, report);
            sections::verdict(&mut s, report);
            page_end(&mut s);
            s
        });
        out.write_all(s.as_bytes())
            .map_err(RenderError::write("html"))
    }
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The CSS class of a status (colours, and the failed-only filter).
pub(crate) fn status_class(status: Status) -> &'static str {
    match status {
        Status::Passed => "ok passed",
        Status::Skipped => "ok skipped",
        Status::Failed => "bad failed",
        Status::Error => "bad error",
        Status::NotRun => "bad not-run",
    }
}

const CSS: &str = "
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1f2328}
main{max-width:1000px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:28px}
h3{font-size:15px;margin:18px 0 6px}table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:var(--bg);border:1px solid var(--line);padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word}
.verdict{display:inline-block;padding:4px 12px;border-radius:6px;color:#fff;font-weight:600}.verdict.ready{background:var(--ok)}.verdict.ready-with-caveats{background:var(--warn)}.verdict.not-ready{background:var(--bad)}
.status{font-weight:600}.passed .status,.met{color:var(--ok)}.failed .status,.error .status,.missed{color:var(--bad)}.skipped .status,.not-run .status{color:var(--mute)}
.hint{color:var(--mute)}.filter{float:right;font-size:13px}.only-failed .ok{display:none}
img.shot{display:block;max-width:100%;height:auto;border:1px solid var(--line)}svg.chart{display:block;max-width:100%;height:auto;margin:8px 0}svg .label,svg .tick{font:11px system-ui,sans-serif;fill:#444}
svg .grid{stroke:#eaeef2}svg .dot{fill:#0969da;fill-opacity:.7}svg .median{stroke:#1f2328;stroke-width:2}svg .frame{fill:none;stroke:var(--line)}
svg .line{fill:none;stroke:#0969da;stroke-width:1.5}svg .step{fill:none;stroke:var(--ok);stroke-width:1.5}svg .down{fill:var(--bad);fill-opacity:.25}
details>summary{cursor:pointer}footer{color:var(--mute);margin-top:28px;font-size:12px}
@media print{.filter{display:none}main{max-width:none}details{display:block}}
";

/// The filter; `data-ready` tells a headless browser the script ran.
const JS: &str = "
(function(){var box=document.getElementById('only-failed');
if(box){box.addEventListener('change',function(){document.body.classList.toggle('only-failed',box.checked);});}
document.documentElement.setAttribute('data-ready','1');})();
";

fn page_start(s: &mut String, report: &Report) {
    let run = &report.run;
    let subject = run
        .plan
        .as_ref()
        .map_or(run.command.as_str(), |p| p.name.as_str());
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>shipcheck report: {}</title><style>{CSS}</style></head><body><main>\n",
        esc(subject)
    );
    let _ = writeln!(
        s,
        "<h1>shipcheck report: {}</h1><p class=\"hint\">{} · {} {} · command <code>{}</code> · \
         from {} · {}{}</p>",
        esc(subject),
        esc(&run.started_at),
        esc(&run.tool),
        esc(&run.version),
        esc(&run.command),
        esc(&run.host),
        esc(&fmt_ms(run.duration_ms)),
        if run.interrupted {
            format!(
                " · <strong>interrupted</strong>: {}",
                esc(run
                    .interrupt_reason
                    .as_deref()
                    .unwrap_or("no reason recorded"))
            )
        } else {
            String::new()
        }
    );
}

fn page_end(s: &mut String) {
    let _ = writeln!(
        s,
        "<footer>Every number in this report was measured by shipcheck during this run; none \
         is estimated. Environment facts are declared by the plan, not verified.</footer>\
         </main><script>{JS}</script></body></html>"
    );
}

/// Charts: check durations per kind, and every series a check recorded.
fn charts_section(s: &mut String, report: &Report) {
    let mut per_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for c in &report.checks {
        if matches!(c.status, Status::Passed | Status::Failed | Status::Error) {
            per_kind
                .entry(c.kind.clone())
                .or_default()
                .push(c.duration_ms);
        }
    }
    let series: Vec<_> = report
        .checks
        .iter()
        .flat_map(|c| c.series.iter().map(move |se| (c, se)))
        .collect();
    if per_kind.is_empty() && series.is_empty() {
        return;
    }
    let _ = writeln!(s, "<h2 id=\"charts\">Charts</h2>");
    if !per_kind.is_empty() {
        let groups: Vec<(String, Vec<f64>)> = per_kind.into_iter().collect();
        let _ = writeln!(
            s,
            "<h3>Check durations per kind</h3><p class=\"hint\">One dot per check; the bar \
             is the median.</p>{}",
            charts::strip_chart("check durations per kind", &groups)
        );
    }
    for (c, se) in series {
        let _ = writeln!(
            s,
            "<div class=\"{}\"><h3><code>{}</code>: {} ({} points)</h3>{}</div>",
            status_class(c.status),
            esc(&c.id),
            esc(&se.name),
            se.points.len(),
            charts::series_chart(&c.id, se)
        );
    }
}

#[cfg(test)]
mod tests;
