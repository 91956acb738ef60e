//! What a `browser` check met on the page, and how its expectations read it: whether the
//! page loaded and the flow completed, console errors and failed requests (counted, listed
//! in the note), the title, the text of selectors and Navigation Timing.

use shipcheck_browser::PageReport;
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// What the check saw.
#[derive(Debug, Clone, Default)]
pub struct BrowserFacts {
    /// What the visit reported.
    pub page: PageReport,
    /// Time of the whole check (start, visit, screenshot).
    pub duration_ms: f64,
}

impl Facts for BrowserFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// At most this many items are listed in a note.
const LISTED: usize = 10;

fn listed(items: &[String]) -> String {
    let mut out = items.iter().take(LISTED).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > LISTED {
        out.push_str(&format!("; and {} more", items.len() - LISTED));
    }
    out
}

/// What a `browser` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum BrowserQuery {
    /// The page loaded and every step passed.
    Completed,
    /// How many console errors and uncaught exceptions.
    ConsoleErrors,
    /// How many requests failed or answered ≥ 400.
    FailedRequests,
    /// The page's title.
    Title,
    /// The text of the element a selector finds (absent: no such element).
    Text(String),
    /// `domContentLoadedEventEnd`.
    DomContentLoaded,
    /// `loadEventEnd`.
    Load,
}

impl Select for BrowserQuery {
    fn subject(&self) -> String {
        match self {
            BrowserQuery::Completed => "page flow".into(),
            BrowserQuery::ConsoleErrors => "console errors".into(),
            BrowserQuery::FailedRequests => "failed requests".into(),
            BrowserQuery::Title => "title".into(),
            BrowserQuery::Text(sel) => format!("text of {sel}"),
            BrowserQuery::DomContentLoaded => "DOMContentLoaded".into(),
            BrowserQuery::Load => "load".into(),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &BrowserFacts = facts_as(facts, "browser")?;
        let p = &f.page;
        match self {
            BrowserQuery::Completed => Ok(Selected::one(p.problem.is_none())),
            BrowserQuery::ConsoleErrors => Ok(Selected::one(p.console_errors.len() as u64)),
            BrowserQuery::FailedRequests => Ok(Selected::one(p.failed_requests.len() as u64)),
            BrowserQuery::Title => Ok(Selected::one(p.title.clone())),
            BrowserQuery::Text(sel) => {
                match p.found.iter().find(|x| &x.selector == sel).and_then(|x| x.text.clone()) {
                    Some(t) => Ok(Selected::one(t)),
                    None => Ok(Selected::none()),
                }
            }
            BrowserQuery::DomContentLoaded | BrowserQuery::Load => {
                let Some(t) = p.timing else {
                    return Err("the page did not finish loading, so it has no Navigation Timing".into());
                };
                let ms = if *self == BrowserQuery::Load {
                    t.load_ms
                } else {
                    t.dom_content_loaded_ms
                };
                Ok(Selected::with_unit(ms, Unit::Millis))
            }
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &BrowserFacts = facts_as(facts, "browser").ok()?;
        let p = &f.page;
        match self {
            BrowserQuery::Completed => p.problem.clone(),
            BrowserQuery::ConsoleErrors => (!p.console_errors.is_empty()).then(|| listed(&p.console_errors)),
            BrowserQuery::FailedRequests => {
                let items: Vec<String> = p.failed_requests.iter().map(ToString::to_string).collect();
                (!items.is_empty()).then(|| listed(&items))
            }
            BrowserQuery::Text(sel) => p
                .found
                .iter()
                .any(|x| &x.selector == sel && x.text.is_none())
                .then(|| format!("no element matches {sel}")),
            _ => None,
        }
    }
}
