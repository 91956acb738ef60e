//! HTTPS hygiene read from an HTTP exchange: HSTS, the redirect to https, cookie flags and
//! the security-header bundle.

use shipcheck_http::Exchange;

/// A response header of the final hop.
pub(super) fn header<'a>(ex: &'a Exchange, name: &str) -> Option<&'a str> {
    ex.hops.last().and_then(|h| h.response.header(name))
}

/// One parsed `Set-Cookie`: name and lower-cased attributes.
pub(super) struct Cookie {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
}

pub(super) fn cookies(ex: &Exchange) -> Vec<Cookie> {
    let Some(hop) = ex.hops.last() else {
        return Vec::new();
    };
    hop.response
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| {
            let mut parts = v.split(';');
            let name = parts
                .next()
                .and_then(|nv| nv.split_once('='))
                .map_or_else(String::new, |(n, _)| n.trim().to_owned());
            let attrs = parts
                .map(|a| match a.split_once('=') {
                    Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_owned()),
                    None => (a.trim().to_ascii_lowercase(), String::new()),
                })
                .collect();
            Cookie { name, attrs }
        })
        .collect()
}

/// Why the first hop is not a redirect to the same host over https.
pub(super) fn redirect_problem(hop: &shipcheck_http::Hop, port: Option<u16>) -> Option<String> {
    let status = hop.response.status;
    if !matches!(status, 301 | 308) {
        return Some(format!("status {status}, not 301 or 308"));
    }
    let Some(loc) = hop.response.header("location") else {
        return Some("no location header".into());
    };
    let from = url::Url::parse(&hop.request.url).ok()?;
    let Ok(to) = from.join(loc) else {
        return Some(format!("location `{loc}` is not a URL"));
    };
    if to.scheme() != "https" {
        return Some(format!("location `{loc}` is not https"));
    }
    if to.host_str() != from.host_str() {
        return Some(format!("location `{loc}` changes the host"));
    }
    let want = port.unwrap_or(443);
    if to.port_or_known_default() != Some(want) {
        return Some(format!("location `{loc}` is not on port {want}"));
    }
    None
}

/// Which of the security-header bundle is missing.
pub(super) fn missing_security_headers(ex: &Exchange) -> Vec<&'static str> {
    let csp = header(ex, "content-security-policy");
    let mut missing = Vec::new();
    if csp.is_none() {
        missing.push("content-security-policy");
    }
    if !header(ex, "x-content-type-options").is_some_and(|v| v.eq_ignore_ascii_case("nosniff")) {
        missing.push("x-content-type-options: nosniff");
    }
    let framing = csp.is_some_and(|c| c.contains("frame-ancestors"))
        || header(ex, "x-frame-options").is_some_and(|v| {
            v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin")
        });
    if !framing {
        missing.push("frame-ancestors or x-frame-options");
    }
    if header(ex, "referrer-policy").is_none() {
        missing.push("referrer-policy");
    }
    missing
}
