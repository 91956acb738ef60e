//! What a page does while it is watched: console errors and uncaught exceptions, requests
//! that failed or answered ≥ 400, and — through the `Fetch` domain — every request paused
//! so that only the allowed hosts are reached (the others fail as blocked and are listed).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams as FetchEnable, EventRequestPaused, FailRequestParams,
    RequestPattern, RequestStage,
};
use chromiumoxide::cdp::browser_protocol::log::{EventEntryAdded, LogEntryLevel, LogEntrySource};
use chromiumoxide::cdp::browser_protocol::network::{
    ErrorReason, EventLoadingFailed, EventRequestWillBeSent, EventResponseReceived,
    EventResponseReceivedExtraInfo, ResourceType,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown, RemoteObject,
};
use futures_util::StreamExt as _;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::visit::FailedRequest;

/// At most this many console errors and failed requests are kept.
const MAX_KEPT: usize = 100;
/// Each message or URL is cut at this many characters.
const MAX_TEXT: usize = 500;
/// At most this many request URLs are remembered (to name a failed one).
const MAX_URLS: usize = 5000;

/// What was seen so far.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) console_errors: Vec<String>,
    pub(crate) failed: Vec<FailedRequest>,
    urls: HashMap<String, String>,
    /// Requests already listed (a status can be seen twice: the response and its extra
    /// info, which is the only one sent for a response the browser then refuses).
    listed: HashSet<String>,
    /// The browser's own `/favicon.ico` requests.
    favicons: HashSet<String>,
}

impl Seen {
    /// Lists request `id` once, unless it is the browser's favicon request.
    fn fail(&mut self, id: &str, url: Option<&str>, status: Option<u16>, error: Option<String>) {
        if self.favicons.contains(id) || !self.listed.insert(id.to_owned()) {
            return;
        }
        let url = url
            .map(str::to_owned)
            .or_else(|| self.urls.get(id).cloned())
            .unwrap_or_else(|| "(unknown URL)".into());
        push_failed(self, &url, status, error);
    }
}

/// The listeners of one page; dropping it stops them.
pub(crate) struct Watch {
    pub(crate) seen: Arc<Mutex<Seen>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

fn note(seen: &Mutex<Seen>, f: impl FnOnce(&mut Seen)) {
    if let Ok(mut s) = seen.lock() {
        f(&mut s);
    }
}

fn push_console(s: &mut Seen, text: String) {
    if s.console_errors.len() < MAX_KEPT {
        s.console_errors.push(cut(&text));
    }
}

fn push_failed(s: &mut Seen, url: &str, status: Option<u16>, error: Option<String>) {
    if s.failed.len() < MAX_KEPT {
        s.failed.push(FailedRequest {
            url: cut(url),
            status,
            error,
        });
    }
}

/// A console argument as the DevTools console shows it.
fn shown(o: &RemoteObject) -> String {
    match (&o.value, &o.description) {
        (Some(serde_json::Value::String(s)), _) => s.clone(),
        (_, Some(d)) => d.clone(),
        (Some(v), None) => v.to_string(),
        (None, None) => format!("{:?}", o.r#type),
    }
}

/// Whether this is the browser's own `/favicon.ico` request (made for the tab, not by the
/// page: a site without one is not broken).
fn browser_favicon(url: &str, kind: Option<&ResourceType>) -> bool {
    kind == Some(&ResourceType::Other)
        && url::Url::parse(url).is_ok_and(|u| u.path() == "/favicon.ico")
}

/// Whether `url` may be requested: a host (any port) or `host:port` of the list; `data:`,
/// `blob:` and `about:` URLs never leave the browser.
pub(crate) fn allowed(url: &str, hosts: &[String]) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if matches!(u.scheme(), "data" | "blob" | "about") {
        return true;
    }
    let Some(host) = u.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = u.port_or_known_default();
    hosts.iter().any(|h| match h.rsplit_once(':') {
        Some((name, p)) if !name.is_empty() && !name.ends_with(':') && p.parse::<u16>().is_ok() => {
            name.trim_start_matches('[')
                .trim_end_matches(']')
                .eq_ignore_ascii_case(host)
                && p.parse::<u16>().ok() == port
        }
        _ => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(host),
    })
}

/// Starts watching `page` (before it navigates), letting only `hosts` be reached.
pub(crate) async fn watch(page: &Page, hosts: Vec<String>) -> Result<Watch, Error> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut tasks = Vec::new();
    let err = Error::protocol;

    let mut console = page
        .event_listener::<EventConsoleApiCalled>()
        .await
        .map_err(err("listening to the console"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = console.next().await {
            if matches!(
                e.r#type,
                ConsoleApiCalledType::Error | ConsoleApiCalledType::Assert
            ) {
                let text = e.args.iter().map(shown).collect::<Vec<_>>().join(" ");
                note(&s, |s| push_console(s, format!("console.error: {text}")));
            }
        }
    }));

    let mut thrown = page
        .event_listener::<EventExceptionThrown>()
        .await
        .map_err(err("listening to exceptions"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = thrown.next().await {
            let d = &e.exception_details;
            let what = d
                .exception
                .as_ref()
                .and_then(|o| o.description.clone())
                .unwrap_or_else(|| d.text.clone());
            let what = what.lines().next().unwrap_or_default().to_owned();
            let at = d
                .url
                .as_deref()
                .map(|u| format!(" ({u}:{})", d.line_number + 1))
                .unwrap_or_default();
            note(&s, |s| push_console(s, format!("uncaught {what}{at}")));
        }
    }));

    let mut log = page
        .event_listener::<EventEntryAdded>()
        .await
        .map_err(err("listening to the log"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = log.next().await {
            // Network errors are listed as failed requests, with their URL and status.
            if e.entry.level == LogEntryLevel::Error && e.entry.source != LogEntrySource::Network {
                let text = e.entry.text.clone();
                note(&s, |s| push_console(s, text));
            }
        }
    }));

    let mut sent = page
        .event_listener::<EventRequestWillBeSent>()
        .await
        .map_err(err("listening to requests"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = sent.next().await {
            let (id, url) = (e.request_id.inner().clone(), e.request.url.clone());
            let favicon = browser_favicon(&url, e.r#type.as_ref());
            note(&s, |s| {
                if favicon {
                    s.favicons.insert(id.clone());
                }
                if s.urls.len() < MAX_URLS {
                    s.urls.insert(id, url);
                }
            });
        }
    }));

    let mut answered = page
        .event_listener::<EventResponseReceived>()
        .await
        .map_err(err("listening to responses"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = answered.next().await {
            let status = e.response.status;
            if status >= 400 {
                let (id, url) = (e.request_id.inner().clone(), e.response.url.clone());
                note(&s, |s| {
                    s.fail(&id, Some(&url), u16::try_from(status).ok(), None)
                });
            }
        }
    }));

    let mut extra = page
        .event_listener::<EventResponseReceivedExtraInfo>()
        .await
        .map_err(err("listening to responses"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = extra.next().await {
            if e.status_code >= 400 {
                let id = e.request_id.inner().clone();
                let status = u16::try_from(e.status_code).ok();
                note(&s, |s| s.fail(&id, None, status, None));
            }
        }
    }));

    let mut failed = page
        .event_listener::<EventLoadingFailed>()
        .await
        .map_err(err("listening to failed loads"))?;
    let s = Arc::clone(&seen);
    tasks.push(tokio::spawn(async move {
        while let Some(e) = failed.next().await {
            // Cancelled loads (a navigation away) are not failures; blocked ones are listed
            // by the interception below.
            if e.canceled == Some(true) || e.error_text.contains("ERR_BLOCKED_BY_CLIENT") {
                continue;
            }
            let text = e.error_text.clone();
            let id = e.request_id.inner().clone();
            note(&s, |s| s.fail(&id, None, None, Some(text)));
        }
    }));

    let mut paused = page
        .event_listener::<EventRequestPaused>()
        .await
        .map_err(err("intercepting requests"))?;
    let s = Arc::clone(&seen);
    let gate = page.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(e) = paused.next().await {
            let id = e.request_id.clone();
            if allowed(&e.request.url, &hosts) {
                let _ = gate.execute(ContinueRequestParams::new(id)).await;
            } else {
                let url = e.request.url.clone();
                note(&s, |s| {
                    push_failed(
                        s,
                        &url,
                        None,
                        Some("blocked: its host is not one of the check's hosts".into()),
                    );
                });
                let _ = gate
                    .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                    .await;
            }
        }
    }));
    let pattern = RequestPattern {
        url_pattern: Some("*".into()),
        resource_type: None,
        request_stage: Some(RequestStage::Request),
    };
    page.execute(FetchEnable {
        patterns: Some(vec![pattern]),
        handle_auth_requests: None,
    })
    .await
    .map_err(err("intercepting requests"))?;
    page.enable_log().await.map_err(err("enabling the log"))?;
    page.enable_runtime()
        .await
        .map_err(err("enabling the runtime"))?;
    Ok(Watch { seen, tasks })
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn hosts_with_and_without_ports() {
        let hosts = vec!["127.0.0.1:8080".to_owned(), "cdn.example.com".to_owned()];
        assert!(allowed("http://127.0.0.1:8080/app.js", &hosts));
        assert!(!allowed("http://127.0.0.1:9090/app.js", &hosts));
        assert!(allowed("https://CDN.example.com/x.css", &hosts));
        assert!(allowed("http://cdn.example.com:81/x.css", &hosts));
        assert!(!allowed("https://evil.example.com/", &hosts));
        assert!(!allowed("http://10.0.0.1/", &hosts));
        assert!(allowed("data:text/plain,hi", &hosts));
        assert!(!allowed("not a url", &hosts));
    }
}
