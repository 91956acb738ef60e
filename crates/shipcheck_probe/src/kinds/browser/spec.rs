//! The `browser:` plan keys: the page (`url`), the other hosts it may reach, a selector to
//! wait for, the flow's `steps`, the step timeout, the viewport and screenshot cap, and
//! where Chromium is.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, positive_duration, resolve, shown};

const KEYS: &[&str] = &[
    "url",
    "hosts",
    "wait_for",
    "steps",
    "step_timeout",
    "viewport",
    "max_screenshot",
    "chromium",
];

/// Default `step_timeout`.
const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Default and largest `max_screenshot`.
const DEFAULT_MAX_SCREENSHOT: u64 = 2 * 1024 * 1024;
const MAX_MAX_SCREENSHOT: u64 = 16 * 1024 * 1024;
/// Default viewport and the largest side.
const DEFAULT_VIEWPORT: (u32, u32) = (1280, 800);
const MAX_SIDE: u32 = 4096;
/// The most steps a flow may have.
const MAX_STEPS: usize = 50;

/// One step of the flow (values are templates).
#[derive(Debug, Clone, PartialEq)]
pub enum StepSpec {
    /// `fill: { selector, text, secret }` — `secret` defaults to true (the value is redacted).
    Fill {
        /// CSS selector of the field.
        selector: String,
        /// The text typed (template).
        text: String,
        /// Whether the typed value is redacted from every output.
        secret: bool,
    },
    /// `click: SELECTOR`.
    Click(String),
    /// `wait_for: SELECTOR`.
    WaitFor(String),
    /// `wait_url: TEXT` — the URL contains it.
    WaitUrl(String),
}

/// A parsed `browser:` check.
#[derive(Debug, Clone)]
pub struct BrowserProbe {
    /// The page (template).
    pub url: String,
    /// Hosts the page may reach besides the URL's own (`host` or `host:port`).
    pub hosts: Vec<String>,
    /// A selector to wait for once the page has loaded.
    pub wait_for: Option<String>,
    /// The flow.
    pub steps: Vec<StepSpec>,
    /// The bound of the load and of each step.
    pub step_timeout: Duration,
    /// Viewport (and screenshot) width and height.
    pub viewport: (u32, u32),
    /// The largest screenshot kept, in bytes.
    pub max_screenshot: u64,
    /// The Chromium binary, when given (else `SHIPCHECK_CHROMIUM`, else `PATH`).
    pub chromium: Option<PathBuf>,
    /// Selectors whose text the expectations read (filled in by `prepare`).
    pub read: Vec<String>,
}

/// `browser: URL` / `browser: { url, hosts, wait_for, steps, … }`.
pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<BrowserProbe> {
    let (url_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, "a browser probe");
            let Some(u) = get(entries, "url") else {
                ctx.error(n.span, "the browser probe has no `url`", "add `url: https://…`");
                return None;
            };
            (u, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let url = ctx.template(url_node, "url")?;
    let lower = url.to_ascii_lowercase();
    if !url.starts_with("{{") && !lower.starts_with("http://") && !lower.starts_with("https://") {
        ctx.error(
            url_node.span,
            "the URL must start with `http://` or `https://`",
            format!("found {}", shown(url_node)),
        );
        return None;
    }
    let mut hosts = Vec::new();
    if let Some(h) = get(entries, "hosts") {
        let items: &[Node] = match &h.kind {
            Kind::Seq(items) => items,
            _ => std::slice::from_ref(h),
        };
        for item in items {
            hosts.push(ctx.text(item, "a host")?);
        }
    }
    let wait_for = match get(entries, "wait_for") {
        Some(v) => Some(ctx.text(v, "wait_for")?),
        None => None,
    };
    let steps = match get(entries, "steps") {
        Some(v) => steps(ctx, v)?,
        None => Vec::new(),
    };
    let step_timeout = match get(entries, "step_timeout") {
        Some(v) => positive_duration(ctx, v, "step_timeout")?,
        None => DEFAULT_STEP_TIMEOUT,
    };
    let viewport = match get(entries, "viewport") {
        Some(v) => viewport(ctx, v)?,
        None => DEFAULT_VIEWPORT,
    };
    let max_screenshot = match get(entries, "max_screenshot") {
        Some(v) => ctx.bounded_size(v, "max_screenshot", MAX_MAX_SCREENSHOT, "16MiB")?,
        None => DEFAULT_MAX_SCREENSHOT,
    };
    let chromium = match get(entries, "chromium") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "chromium")?)),
        None => None,
    };
    Some(BrowserProbe {
        url,
        hosts,
        wait_for,
        steps,
        step_timeout,
        viewport,
        max_screenshot,
        chromium,
        read: Vec::new(),
    })
}

/// `viewport: 1280x800`.
fn viewport(ctx: &mut Ctx<'_>, v: &Node) -> Option<(u32, u32)> {
    let text = ctx.text(v, "viewport")?;
    let parsed = text
        .split_once('x')
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)))
        .filter(|&(w, h)| (1..=MAX_SIDE).contains(&w) && (1..=MAX_SIDE).contains(&h));
    if parsed.is_none() {
        ctx.error_help(
            v.span,
            "`viewport` must be WIDTHxHEIGHT",
            format!("found {}", shown(v)),
            format!("write e.g. `viewport: 1280x800` (each side 1 to {MAX_SIDE})"),
        );
    }
    parsed
}

/// `steps:` — a list of one-key mappings.
fn steps(ctx: &mut Ctx<'_>, v: &Node) -> Option<Vec<StepSpec>> {
    let Kind::Seq(items) = &v.kind else {
        ctx.error_help(
            v.span,
            "`steps` must be a list",
            format!("found {}", v.type_name()),
            "write `steps: [ { click: \"#login\" }, { wait_for: \"#dashboard\" } ]`",
        );
        return None;
    };
    if items.len() > MAX_STEPS {
        ctx.error(v.span, format!("at most {MAX_STEPS} steps"), format!("found {}", items.len()));
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let entries = match &item.kind {
            Kind::Map(e) if e.len() == 1 => e,
            _ => {
                ctx.error_help(
                    item.span,
                    "a step is one of `fill`, `click`, `wait_for`, `wait_url`",
                    format!("found {}", shown(item)),
                    "write `- click: \"#login\"` or `- fill: { selector: \"#user\", text: demo }`",
                );
                return None;
            }
        };
        let (k, sv) = &entries[0];
        let step = match k.scalar_text().as_deref() {
            Some("click") => StepSpec::Click(ctx.text(sv, "click")?),
            Some("wait_for") => StepSpec::WaitFor(ctx.text(sv, "wait_for")?),
            Some("wait_url") => StepSpec::WaitUrl(ctx.template(sv, "wait_url")?),
            Some("fill") => {
                let f = ctx.map(sv, "fill")?;
                ctx.keys(f, &["selector", "text", "secret"], "a fill step");
                let (Some(sel), Some(text)) = (get(f, "selector"), get(f, "text")) else {
                    ctx.error(sv.span, "a fill step needs `selector` and `text`", "missing");
                    return None;
                };
                let secret = match get(f, "secret") {
                    Some(s) => ctx.bool(s, "secret")?,
                    None => true,
                };
                StepSpec::Fill {
                    selector: ctx.text(sel, "selector")?,
                    text: ctx.template(text, "text")?,
                    secret,
                }
            }
            _ => {
                ctx.error_help(
                    k.span,
                    "a step is one of `fill`, `click`, `wait_for`, `wait_url`",
                    format!("found {}", shown(k)),
                    "write `- click: \"#login\"`",
                );
                return None;
            }
        };
        out.push(step);
    }
    Some(out)
}
