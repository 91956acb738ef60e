//! Runs a `browser` check: Chromium started for this check alone (its own process group and
//! a fresh profile, both gone when the check ends — also on a timeout or a cancelled run,
//! which drop this future), the page visited with requests limited to the URL's host and
//! `hosts`, and a screenshot kept as an attachment.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use shipcheck_browser::{Chromium, LaunchConfig, PageReport, Step, Visit, find_chromium};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Attachment, Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::BrowserFacts;
use super::spec::{BrowserProbe, StepSpec};

/// The environment variable naming the Chromium binary.
pub(crate) const CHROMIUM_ENV: &str = "SHIPCHECK_CHROMIUM";
/// The longest Chromium may take to start.
const MAX_START: Duration = Duration::from_secs(30);

fn error(class: FailureClass, msg: impl Into<String>) -> ProbeError {
    ProbeError::new(class, msg.into())
}

fn browser_error(e: shipcheck_browser::Error) -> ProbeError {
    let class = match e {
        shipcheck_browser::Error::NotFound { .. } | shipcheck_browser::Error::Start { .. } => {
            FailureClass::Connect
        }
        shipcheck_browser::Error::Timeout(_) => FailureClass::Timeout,
        _ => FailureClass::Protocol,
    };
    error(class, e.to_string())
}

/// The steps with their templates rendered, and the values that must be redacted.
fn steps(p: &BrowserProbe, cx: &ProbeContext<'_>) -> Result<(Vec<Step>, Vec<String>), ProbeError> {
    let mut out = Vec::with_capacity(p.steps.len());
    let mut secrets = Vec::new();
    for s in &p.steps {
        out.push(match s {
            StepSpec::Fill {
                selector,
                text,
                secret,
            } => {
                let text = cx.render(text)?;
                if *secret && !text.is_empty() {
                    secrets.push(text.clone());
                }
                Step::Fill {
                    selector: selector.clone(),
                    text,
                }
            }
            StepSpec::Click(selector) => Step::Click {
                selector: selector.clone(),
            },
            StepSpec::WaitFor(selector) => Step::WaitFor {
                selector: selector.clone(),
            },
            StepSpec::WaitUrl(contains) => Step::WaitUrl {
                contains: cx.render(contains)?,
            },
        });
    }
    Ok((out, secrets))
}

pub(crate) async fn observe(p: &BrowserProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let url = cx.render(&p.url)?;
    let parsed = url::Url::parse(&url).map_err(|e| error(FailureClass::Protocol, format!("`{url}` is not a URL: {e}")))?;
    let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
        return Err(error(FailureClass::Protocol, format!("`{url}` has no host")));
    };
    let mut hosts = vec![format!("{host}:{port}")];
    hosts.extend(p.hosts.iter().cloned());
    let (steps, sent_secrets) = steps(p, cx)?;
    let program = find_chromium(p.chromium.as_deref(), std::env::var_os(CHROMIUM_ENV)).map_err(browser_error)?;
    let launch = LaunchConfig {
        program,
        viewport: p.viewport,
        start_timeout: cx.timeout.min(MAX_START),
    };
    let visit = Visit {
        url: url.clone(),
        hosts,
        wait_for: p.wait_for.clone(),
        steps,
        inspect: p.read.clone(),
        step_timeout: p.step_timeout.min(cx.timeout),
        screenshot_cap: usize::try_from(p.max_screenshot).unwrap_or(usize::MAX),
    };
    let run = async {
        let chromium = Chromium::launch(&launch).await.map_err(browser_error)?;
        let page = chromium.visit(&visit).await.map_err(browser_error)?;
        // The browser and its profile are gone before the check's result is made.
        drop(chromium);
        Ok::<PageReport, ProbeError>(page)
    };
    let page = tokio::time::timeout(cx.timeout, run).await.map_err(|_| {
        error(
            FailureClass::Timeout,
            format!("the browser check of {url} did not finish within {:?} (Chromium was killed)", cx.timeout),
        )
    })??;
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut measurements = vec![Measurement::new("total", duration_ms, MeasureUnit::Ms)];
    if let Some(t) = page.timing {
        measurements.push(Measurement::new("dom_content_loaded", t.dom_content_loaded_ms, MeasureUnit::Ms));
        measurements.push(Measurement::new("load", t.load_ms, MeasureUnit::Ms));
    }
    let mut attachments = Vec::new();
    if let Some(png) = &page.screenshot {
        attachments.push(Attachment::new("screenshot", "image/png", png));
    }
    let evidence = vec![evidence(&url, &page, cx.evidence_cap)];
    let mut observed = Observed::new(BrowserFacts { page, duration_ms });
    observed.evidence = evidence;
    observed.measurements = measurements;
    observed.sent_secrets = sent_secrets;
    observed.attachments = attachments;
    Ok(observed)
}

/// What the browser met, as text: the page, the flow, errors, failed requests, timings.
fn evidence(url: &str, p: &PageReport, cap: usize) -> Evidence {
    let mut t = String::new();
    let _ = writeln!(t, "opened {url}");
    if p.url != url && !p.url.is_empty() {
        let _ = writeln!(t, "now at {}", p.url);
    }
    let _ = writeln!(t, "title: {:?}", p.title);
    for (step, ms) in &p.steps_done {
        let _ = writeln!(t, "step: {step} ({ms:.0} ms)");
    }
    if let Some(why) = &p.problem {
        let _ = writeln!(t, "stopped: {why}");
    }
    if let Some(tm) = p.timing {
        let _ = writeln!(
            t,
            "navigation timing: DOMContentLoaded {:.0} ms, load {:.0} ms",
            tm.dom_content_loaded_ms, tm.load_ms
        );
    }
    let _ = writeln!(t, "console errors: {}", p.console_errors.len());
    for e in &p.console_errors {
        let _ = writeln!(t, "  {e}");
    }
    let _ = writeln!(t, "failed requests: {}", p.failed_requests.len());
    for f in &p.failed_requests {
        let _ = writeln!(t, "  {f}");
    }
    for f in &p.found {
        match &f.text {
            Some(text) => {
                let _ = writeln!(t, "{}: {text:?}", f.selector);
            }
            None => {
                let _ = writeln!(t, "{}: not in the page", f.selector);
            }
        }
    }
    match (&p.screenshot, &p.screenshot_note) {
        (Some(png), _) => {
            let _ = writeln!(t, "screenshot: {} bytes (PNG)", png.len());
        }
        (None, Some(why)) => {
            let _ = writeln!(t, "no screenshot: {why}");
        }
        (None, None) => {}
    }
    let truncated = crate::kinds::db_common::cap_text(&mut t, cap);
    Evidence {
        label: "page".into(),
        text: t,
        truncated,
    }
}
