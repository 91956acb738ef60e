//! What kinds that fetch a document and inspect it share (`metrics`, `openapi`): the plan
//! key (`URL` or `{ url, headers, insecure, ca_file, max_body }`), the GET itself with a
//! capped body, and the evidence. A non-2xx answer or an oversized document is a problem
//! the kind reports as `valid: false`, not an error.

use std::path::{Path, PathBuf};
use std::time::Instant;

use bytes::Bytes;
use shipcheck_http::Request;
use shipcheck_plan::kind::{ProbeContext, ProbeError};
use shipcheck_plan::syntax::{Ctx, Kind, Node, get, pairs, resolve, shown};
use shipcheck_report::{Evidence, FailureClass, Measurement};

const KEYS: &[&str] = &["url", "headers", "insecure", "ca_file", "max_body"];

/// The plan side of a document-fetching probe.
#[derive(Debug, Clone)]
pub struct FetchProbe {
    /// URL template.
    pub url: String,
    /// Request headers (name lower-cased, value template).
    pub headers: Vec<(String, String)>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
    /// Read at most this much of the body (default 4 MiB).
    pub max_body: u64,
}

/// Default and largest `max_body`.
const DEFAULT_MAX_BODY: u64 = 4 * 1024 * 1024;
const MAX_MAX_BODY: u64 = 64 * 1024 * 1024;

/// `metrics: URL` / `openapi: URL`, or `{ url, headers, insecure, ca_file, max_body }`.
pub(crate) fn parse(
    ctx: &mut Ctx<'_>,
    n: &Node,
    base_dir: &Path,
    kind: &str,
) -> Option<FetchProbe> {
    parse_with(ctx, n, base_dir, kind, &[])
}

/// [`parse`] for a kind that reads more keys of its own (`extra`) from the same mapping.
pub(crate) fn parse_with(
    ctx: &mut Ctx<'_>,
    n: &Node,
    base_dir: &Path,
    kind: &str,
    extra: &[&str],
) -> Option<FetchProbe> {
    let (url_node, entries) = match &n.kind {
        Kind::Map(entries) => {
            let keys: Vec<&str> = KEYS.iter().chain(extra).copied().collect();
            ctx.keys(entries, &keys, &format!("a {kind} probe"));
            let Some(u) = get(entries, "url") else {
                ctx.error(
                    n.span,
                    format!("the {kind} probe has no `url`"),
                    "add `url: …`",
                );
                return None;
            };
            (u, entries.as_slice())
        }
        _ => (n, &[][..]),
    };
    let url = ctx.template(url_node, "url")?;
    let lower = url.to_ascii_lowercase();
    if !url.contains("{{") && !lower.starts_with("http://") && !lower.starts_with("https://") {
        ctx.error(
            url_node.span,
            "the URL must start with `http://` or `https://`",
            format!("found {}", shown(url_node)),
        );
        return None;
    }
    let headers = get(entries, "headers")
        .map(|h| pairs(ctx, h, "headers", true))
        .unwrap_or_default();
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure")?,
        None => false,
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    let max_body = match get(entries, "max_body") {
        Some(v) => ctx.bounded_size(v, "max_body", MAX_MAX_BODY, "64MiB")?,
        None => DEFAULT_MAX_BODY,
    };
    Some(FetchProbe {
        url,
        headers,
        insecure,
        ca_file,
        max_body,
    })
}

/// A fetched document, before the kind reads it.
pub(crate) struct Fetched {
    /// The URL asked.
    pub(crate) url: String,
    /// HTTP status.
    pub(crate) status: u16,
    /// The body as read.
    pub(crate) body: Bytes,
    /// Why the body is not a document to read (`None`: it is).
    pub(crate) problem: Option<String>,
    /// When the fetch started.
    pub(crate) start: Instant,
    /// Credentials sent.
    pub(crate) sent_secrets: Vec<String>,
}

/// GETs the document with `accept`; a non-2xx status or a body over `max_body` is a problem.
pub(crate) async fn fetch(
    p: &FetchProbe,
    accept: &str,
    cx: &ProbeContext<'_>,
) -> Result<Fetched, ProbeError> {
    let start = Instant::now();
    let url = cx.url(&p.url)?;
    let mut headers = vec![("accept".to_owned(), accept.to_owned())];
    let mut sent_secrets = Vec::new();
    for (k, v) in &p.headers {
        let value = cx.render(v)?;
        if k == "authorization" || k == "cookie" {
            sent_secrets.push(value.clone());
            if let Some((_, t)) = value.split_once(' ') {
                sent_secrets.push(t.trim().to_owned());
            }
        }
        headers.retain(|(name, _)| name != k);
        headers.push((k.clone(), value));
    }
    let client = crate::probes::http_client(p.insecure, p.ca_file.as_deref(), None, 0)?;
    let request = Request {
        headers,
        ..Request::get(url.clone())
    };
    let opts = crate::probes::request_options(
        cx,
        cx.timeout,
        usize::try_from(p.max_body).unwrap_or(usize::MAX),
    );
    let exchange = client.send(&request, &opts).await.map_err(|e| {
        let mut err = ProbeError::new(e.class(), e.to_string());
        err.sent_secrets = sent_secrets.clone();
        err
    })?;
    let Some(hop) = exchange.last() else {
        return Err(ProbeError::new(
            FailureClass::Protocol,
            format!("no response from {url}"),
        ));
    };
    let resp = &hop.response;
    let problem = if !(200..300).contains(&resp.status) {
        Some(format!("HTTP {} from {url}", resp.status))
    } else if resp.body_truncated {
        Some(format!(
            "the document is larger than max_body ({} bytes)",
            p.max_body
        ))
    } else {
        None
    };
    Ok(Fetched {
        url: url.to_string(),
        status: resp.status,
        body: resp.body.clone(),
        problem,
        start,
        sent_secrets,
    })
}

impl Fetched {
    /// The body as text.
    pub(crate) fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// Milliseconds since the fetch started.
    pub(crate) fn elapsed_ms(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * 1000.0
    }

    /// The evidence (status, the verdict line, the body up to the cap) and the `total`
    /// measurement.
    pub(crate) fn record(
        &self,
        label: &str,
        verdict: &str,
        duration_ms: f64,
        cap: usize,
    ) -> (Vec<Evidence>, Vec<Measurement>) {
        let shown = &self.body[..self.body.len().min(cap)];
        let mut text = format!("GET {} → {}\n{verdict}\n", self.url, self.status);
        text.push_str(&String::from_utf8_lossy(shown));
        (
            vec![Evidence {
                label: label.into(),
                text,
                truncated: self.body.len() > cap,
            }],
            vec![Measurement {
                name: "total".into(),
                value: duration_ms,
                unit: shipcheck_report::MeasureUnit::Ms,
                target: None,
                met: None,
            }],
        )
    }
}
