//! [`send`]: the hop loop with redirects, all under one timeout.

use bytes::Bytes;

use crate::error::{HttpError, Phase};
use crate::hop::{self, HopRequest};
use crate::progress::Progress;
use crate::tls::{TlsSettings, TlsSetup};
use crate::types::{ClientOptions, Exchange, Request};

/// Following more redirects than this is an error, whatever `follow_redirects` says.
pub const MAX_REDIRECTS: u32 = 20;

/// Send `req`, following up to `opts.follow_redirects` redirects, within `opts.timeout`.
///
/// Every hop is recorded. When the redirect limit is reached, the last 3xx is returned as the
/// final response (not an error); only more than [`MAX_REDIRECTS`] is an error.
pub async fn send(req: &Request, opts: &ClientOptions) -> Result<Exchange, HttpError> {
    let first_target = req.url.host_str().unwrap_or_default().to_owned();
    let progress = Progress::new(Phase::Dns, first_target);
    match tokio::time::timeout(opts.timeout, follow(req, opts, &progress)).await {
        Ok(result) => result,
        Err(_elapsed) => {
            let (phase, target) = progress.get();
            Err(HttpError::Timeout {
                phase,
                after: opts.timeout,
                target,
            })
        }
    }
}

async fn follow(
    req: &Request,
    opts: &ClientOptions,
    progress: &Progress,
) -> Result<Exchange, HttpError> {
    let mut tls: Option<TlsSetup> = None;
    let mut current = HopRequest {
        method: req.method.clone(),
        url: req.url.clone(),
        headers: req.headers.clone(),
        body: req.body.clone(),
    };
    let mut hops = Vec::new();
    // Bounded: each iteration adds a hop, and more than MAX_REDIRECTS + 1 hops return an error.
    loop {
        if current.url.scheme() == "https" && tls.is_none() {
            tls = Some(TlsSetup::new(&TlsSettings {
                insecure: opts.insecure,
                extra_ca_pem: opts.extra_ca_pem.as_deref(),
                identity: None,
            })?);
        }
        let hop = hop::run(&current, tls.as_ref(), opts.max_body, progress).await?;
        let status = hop.response.status;
        let location = hop.response.header("location").map(str::to_owned);
        hops.push(hop);
        let followed = u32::try_from(hops.len() - 1).unwrap_or(u32::MAX);
        let Some(location) = location.filter(|_| is_redirect(status)) else {
            break;
        };
        if followed >= opts.follow_redirects {
            break;
        }
        if followed >= MAX_REDIRECTS {
            return Err(HttpError::TooManyRedirects {
                limit: MAX_REDIRECTS,
                url: req.url.to_string(),
            });
        }
        current = redirected(current, status, &location)?;
    }
    Ok(Exchange { hops })
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The next request after a redirect, as browsers do it.
fn redirected(prev: HopRequest, status: u16, location: &str) -> Result<HopRequest, HttpError> {
    let bad = |reason: String| HttpError::BadRedirect {
        url: prev.url.to_string(),
        location: location.to_owned(),
        reason,
    };
    let url = prev
        .url
        .join(location)
        .map_err(|e| bad(format!("is not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!("uses unsupported scheme {}", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host".into()));
    }

    let to_get = (status == 303 && prev.method != http::Method::HEAD)
        || (matches!(status, 301 | 302) && prev.method == http::Method::POST);
    let (method, body) = if to_get {
        (http::Method::GET, Bytes::new())
    } else {
        (prev.method, prev.body)
    };
    let origin_changed = url.host_str() != prev.url.host_str()
        || url.port_or_known_default() != prev.url.port_or_known_default();

    let mut headers = prev.headers;
    headers.retain(|(name, _)| {
        let name = name.to_ascii_lowercase();
        let body_header = matches!(
            name.as_str(),
            "content-length" | "content-type" | "transfer-encoding"
        );
        let credential = matches!(
            name.as_str(),
            "authorization" | "cookie" | "proxy-authorization"
        );
        !(to_get && body_header) && !(origin_changed && (credential || name == "host"))
    });
    Ok(HopRequest {
        method,
        url,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(url: &str) -> HopRequest {
        HopRequest {
            method: http::Method::POST,
            url: url::Url::parse(url).expect("test url"),
            headers: vec![
                ("Authorization".into(), "Bearer t".into()),
                ("Cookie".into(), "a=b".into()),
                ("Content-Type".into(), "application/json".into()),
                ("X-Trace".into(), "1".into()),
            ],
            body: Bytes::from_static(b"{}"),
        }
    }

    fn names(req: &HopRequest) -> Vec<&str> {
        req.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn see_other_switches_to_get_and_drops_body() {
        let next = redirected(post("http://a.test/x"), 303, "/done").expect("redirect");
        assert_eq!(next.method, http::Method::GET);
        assert!(next.body.is_empty());
        assert_eq!(next.url.as_str(), "http://a.test/done");
        assert_eq!(names(&next), ["Authorization", "Cookie", "X-Trace"]);
    }

    #[test]
    fn temporary_redirect_keeps_method_and_body() {
        let next = redirected(post("http://a.test/x"), 307, "y").expect("redirect");
        assert_eq!(next.method, http::Method::POST);
        assert_eq!(&next.body[..], b"{}");
        assert_eq!(next.url.as_str(), "http://a.test/y");
    }

    #[test]
    fn cross_host_redirect_drops_credentials() {
        let next = redirected(post("http://a.test/x"), 308, "http://b.test/x").expect("redirect");
        assert_eq!(names(&next), ["Content-Type", "X-Trace"]);
        let same = redirected(post("http://a.test/x"), 308, "http://a.test/z").expect("redirect");
        assert_eq!(same.headers.len(), 4);
    }

    #[test]
    fn unsupported_location_is_an_error() {
        let err = redirected(post("http://a.test/x"), 302, "ftp://a.test/f").expect_err("ftp");
        assert!(err.to_string().contains("unsupported scheme ftp"), "{err}");
        let err = redirected(post("http://a.test/x"), 302, "http://[::1").expect_err("bad url");
        assert!(matches!(err, HttpError::BadRedirect { .. }), "{err}");
    }
}
