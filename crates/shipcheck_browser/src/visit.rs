//! One visit of a page: navigate, wait until it has loaded (and for a selector), read its
//! Navigation Timing, run the flow's steps, read the inspected selectors, and take a
//! screenshot — every browser operation bounded by the step timeout.

use std::future::Future;
use std::time::{Duration, Instant};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use chromiumoxide::cdp::browser_protocol::page::{CaptureScreenshotFormat, NavigateParams};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::page::ScreenshotParams;
use serde_json::Value;

use crate::error::Error;
use crate::events::{Seen, watch};
use crate::launch::Chromium;

/// How often a wait re-reads the page.
const POLL: Duration = Duration::from_millis(100);

/// One step of a flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Type `text` into the field `selector` (its previous value cleared first).
    Fill {
        /// CSS selector of the field.
        selector: String,
        /// What to type (never shown: it may be a secret).
        text: String,
    },
    /// Click the element `selector` with the mouse, at its centre.
    Click {
        /// CSS selector.
        selector: String,
    },
    /// Wait until `selector` is in the page.
    WaitFor {
        /// CSS selector.
        selector: String,
    },
    /// Wait until the page's URL contains `contains`.
    WaitUrl {
        /// Part of the URL.
        contains: String,
    },
}

impl Step {
    /// The step as shown in evidence (a filled value is never shown).
    pub fn describe(&self) -> String {
        match self {
            Step::Fill { selector, .. } => format!("fill `{selector}`"),
            Step::Click { selector } => format!("click `{selector}`"),
            Step::WaitFor { selector } => format!("wait for `{selector}`"),
            Step::WaitUrl { contains } => format!("wait for a URL containing `{contains}`"),
        }
    }
}

/// What to do on one page.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The page to open.
    pub url: String,
    /// The hosts the page may reach (`host` or `host:port`); other requests are blocked.
    pub hosts: Vec<String>,
    /// A selector to wait for once the page has loaded.
    pub wait_for: Option<String>,
    /// The flow, in order.
    pub steps: Vec<Step>,
    /// Selectors whose presence and text are read at the end.
    pub inspect: Vec<String>,
    /// The bound of each operation (the load, each step).
    pub step_timeout: Duration,
    /// The largest screenshot kept, in bytes.
    pub screenshot_cap: usize,
}

/// A request that failed or answered with a status ≥ 400.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedRequest {
    /// Its URL.
    pub url: String,
    /// Its HTTP status, when it got an answer.
    pub status: Option<u16>,
    /// Why it failed without an answer (a network error, blocked).
    pub error: Option<String>,
}

impl std::fmt::Display for FailedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.status, &self.error) {
            (Some(s), _) => write!(f, "{} → {s}", self.url),
            (None, Some(e)) => write!(f, "{} → {e}", self.url),
            (None, None) => write!(f, "{} → failed", self.url),
        }
    }
}

/// The page's own Navigation Timing, in milliseconds from the navigation's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// `domContentLoadedEventEnd`.
    pub dom_content_loaded_ms: f64,
    /// `loadEventEnd`.
    pub load_ms: f64,
}

/// An inspected selector.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The selector.
    pub selector: String,
    /// Its element's text (`innerText`), when it is in the page.
    pub text: Option<String>,
}

/// What a visit met.
#[derive(Debug, Clone, Default)]
pub struct PageReport {
    /// The page's URL at the end.
    pub url: String,
    /// Its title at the end.
    pub title: String,
    /// Console errors and uncaught exceptions, in order.
    pub console_errors: Vec<String>,
    /// Failed requests, in order.
    pub failed_requests: Vec<FailedRequest>,
    /// Navigation Timing of the first page, when it loaded.
    pub timing: Option<Timing>,
    /// The steps done, each with its time in milliseconds.
    pub steps_done: Vec<(String, f64)>,
    /// What stopped the flow (the page did not load, a step failed or timed out).
    pub problem: Option<String>,
    /// The inspected selectors.
    pub found: Vec<Found>,
    /// A PNG of the viewport at the end.
    pub screenshot: Option<Vec<u8>>,
    /// Why there is no screenshot.
    pub screenshot_note: Option<String>,
}

/// `fut` bounded by `limit`.
async fn bounded<T>(
    limit: Duration,
    what: &'static str,
    fut: impl Future<Output = Result<T, chromiumoxide::error::CdpError>>,
) -> Result<T, Error> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| Error::Timeout(what))?
        .map_err(Error::protocol(what))
}

/// The value of a JavaScript expression (`None` when it throws or the page is changing).
async fn eval(page: &Page, limit: Duration, expr: &str) -> Option<Value> {
    let mut params = EvaluateParams::new(expr);
    params.return_by_value = Some(true);
    params.await_promise = Some(false);
    let r = tokio::time::timeout(limit, page.execute(params))
        .await
        .ok()?
        .ok()?;
    if r.result.exception_details.is_some() {
        return None;
    }
    r.result.result.value.clone()
}

/// A JavaScript string literal.
fn js(s: &str) -> String {
    Value::from(s).to_string()
}

/// Polls `expr` until it is truthy, for at most `limit`.
async fn until(page: &Page, limit: Duration, expr: &str) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match eval(page, left.max(POLL), expr).await {
            Some(Value::Bool(true)) => return true,
            _ if Instant::now() >= deadline => return false,
            _ => tokio::time::sleep(POLL).await,
        }
    }
}

impl Chromium {
    /// Visits a page in a new tab and reports what it met. An `Err` means the browser could
    /// not be driven; a page that does not load or a step that fails is in
    /// [`PageReport::problem`].
    pub async fn visit(&self, v: &Visit) -> Result<PageReport, Error> {
        let t = v.step_timeout;
        let page = bounded(t, "opening a tab", self.browser.new_page("about:blank")).await?;
        let watch = watch(&page, v.hosts.clone()).await?;
        let mut report = PageReport::default();
        report.problem = flow(&page, v, &mut report).await;
        for sel in &v.inspect {
            let expr = format!(
                "(() => {{ const e = document.querySelector({}); return e ? [(e.innerText ?? e.textContent ?? '').trim()] : null; }})()",
                js(sel)
            );
            let text = eval(&page, t, &expr)
                .await
                .and_then(|v| v.get(0).and_then(Value::as_str).map(str::to_owned));
            report.found.push(Found {
                selector: sel.clone(),
                text,
            });
        }
        report.url = bounded(t, "reading the URL", page.url())
            .await?
            .unwrap_or_default();
        report.title = eval(&page, t, "document.title")
            .await
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        // What the flow typed (a password) is not in the picture.
        for step in &v.steps {
            if let Step::Fill { selector, .. } = step {
                let blank = format!(
                    "(() => {{ const e = document.querySelector({}); if (e && 'value' in e) e.value = ''; return true; }})()",
                    js(selector)
                );
                eval(&page, t, &blank).await;
            }
        }
        let shot = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build();
        match bounded(t, "taking a screenshot", page.screenshot(shot)).await {
            Ok(png) if png.len() <= v.screenshot_cap => report.screenshot = Some(png),
            Ok(png) => {
                report.screenshot_note = Some(format!(
                    "the screenshot ({} bytes) is over the {} bytes cap",
                    png.len(),
                    v.screenshot_cap
                ));
            }
            Err(e) => report.screenshot_note = Some(e.to_string()),
        }
        // Late events (a failing script loaded last) are in by now.
        if let Ok(seen) = watch.seen.lock() {
            let Seen {
                console_errors,
                failed,
                ..
            } = &*seen;
            report.console_errors = console_errors.clone();
            report.failed_requests = failed.clone();
        }
        drop(watch);
        let _ = tokio::time::timeout(t, page.close()).await;
        Ok(report)
    }
}

/// Loads the page and runs the steps; `Some(why)` when something stopped the flow.
async fn flow(page: &Page, v: &Visit, report: &mut PageReport) -> Option<String> {
    let t = v.step_timeout;
    let started = Instant::now();
    match tokio::time::timeout(t, page.execute(NavigateParams::new(v.url.clone()))).await {
        Err(_) => return Some(format!("{} did not start loading within {t:?}", v.url)),
        Ok(Err(e)) => return Some(format!("{} could not be opened: {e}", v.url)),
        Ok(Ok(r)) => {
            if let Some(e) = &r.result.error_text {
                return Some(format!("{} did not load: {e}", v.url));
            }
        }
    }
    let left = t.saturating_sub(started.elapsed());
    if !until(page, left, "document.readyState === 'complete'").await {
        return Some(format!("{} did not finish loading within {t:?}", v.url));
    }
    let timing = "(() => { const n = performance.getEntriesByType('navigation')[0]; \
                  return n && n.loadEventEnd > 0 ? [n.domContentLoadedEventEnd, n.loadEventEnd] : null; })()";
    let deadline = Instant::now() + t;
    while report.timing.is_none() && Instant::now() < deadline {
        if let Some(Value::Array(a)) = eval(page, t, timing).await
            && let (Some(d), Some(l)) = (
                a.first().and_then(Value::as_f64),
                a.get(1).and_then(Value::as_f64),
            )
        {
            report.timing = Some(Timing {
                dom_content_loaded_ms: d,
                load_ms: l,
            });
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let mut steps: Vec<Step> = Vec::new();
    if let Some(sel) = &v.wait_for {
        steps.push(Step::WaitFor {
            selector: sel.clone(),
        });
    }
    steps.extend(v.steps.iter().cloned());
    for (i, step) in steps.iter().enumerate() {
        let began = Instant::now();
        if let Err(why) = run_step(page, step, t).await {
            return Some(format!(
                "step {} ({}) failed: {why}",
                i + 1,
                step.describe()
            ));
        }
        report
            .steps_done
            .push((step.describe(), began.elapsed().as_secs_f64() * 1000.0));
    }
    None
}

/// One step, bounded by `t`.
async fn run_step(page: &Page, step: &Step, t: Duration) -> Result<(), String> {
    let present = |sel: &str| format!("document.querySelector({}) !== null", js(sel));
    match step {
        Step::WaitFor { selector } => {
            if until(page, t, &present(selector)).await {
                Ok(())
            } else {
                Err(format!("`{selector}` did not appear within {t:?}"))
            }
        }
        Step::WaitUrl { contains } => {
            if until(
                page,
                t,
                &format!("location.href.includes({})", js(contains)),
            )
            .await
            {
                Ok(())
            } else {
                let now = eval(page, t, "location.href").await.unwrap_or_default();
                Err(format!("the URL is still {now} after {t:?}"))
            }
        }
        Step::Fill { selector, text } => {
            let focus = format!(
                "(() => {{ const e = document.querySelector({}); if (!e) return false; e.focus(); e.value = ''; return true; }})()",
                js(selector)
            );
            if !until(page, t, &focus).await {
                return Err(format!("no `{selector}` to fill within {t:?}"));
            }
            bounded(
                t,
                "typing",
                page.execute(InsertTextParams::new(text.clone())),
            )
            .await
            .map_err(|e| e.to_string())?;
            let change = format!(
                "(() => {{ const e = document.querySelector({}); if (e) e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
                js(selector)
            );
            eval(page, t, &change).await;
            Ok(())
        }
        Step::Click { selector } => {
            if !until(page, t, &present(selector)).await {
                return Err(format!("no `{selector}` to click within {t:?}"));
            }
            let el = bounded(
                t,
                "finding the element",
                page.find_element(selector.clone()),
            )
            .await
            .map_err(|e| e.to_string())?;
            bounded(t, "clicking", el.click())
                .await
                .map_err(|e| e.to_string())?;
            Ok(())
        }
    }
}
