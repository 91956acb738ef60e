//! The request after a redirect: method and body as browsers do it, and credentials kept to
//! their origin.

use bytes::Bytes;

use crate::error::HttpError;
use crate::hop::HopRequest;

/// Statuses that carry a `Location` to follow.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Headers that are credentials by name.
const CREDENTIALS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// Parts of header names that carry credentials by convention (`X-Api-Key`, `X-Auth-Token`,
/// `X-Session-Id`…): dropped on leaving the origin even when the caller declared no value.
const CREDENTIAL_NAME_PARTS: [&str; 8] = [
    "auth",
    "token",
    "secret",
    "key",
    "session",
    "password",
    "signature",
    "csrf",
];

fn credential_name(lower: &str) -> bool {
    CREDENTIALS.contains(&lower)
        || CREDENTIAL_NAME_PARTS
            .iter()
            .any(|part| lower.contains(part))
}

/// The next request after a redirect, and the names of the headers dropped because the next
/// URL is another origin (scheme, host or port): credentials, and every header whose value
/// contains one of `sensitive` (declared secrets, secret captures).
pub(crate) fn redirected(
    prev: HopRequest,
    status: u16,
    location: &str,
    sensitive: &[String],
) -> Result<(HopRequest, Vec<String>), HttpError> {
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
    // An https → http hop changes the scheme, so it is another origin even on the same host
    // and port: credentials never go out in cleartext after being sent over TLS.
    let origin_changed = url.scheme() != prev.url.scheme()
        || url.host_str() != prev.url.host_str()
        || url.port_or_known_default() != prev.url.port_or_known_default();

    let mut dropped = Vec::new();
    let mut headers = Vec::with_capacity(prev.headers.len());
    for (name, value) in prev.headers {
        let lower = name.to_ascii_lowercase();
        let body_header = matches!(
            lower.as_str(),
            "content-length" | "content-type" | "transfer-encoding"
        );
        if to_get && body_header {
            continue;
        }
        if origin_changed {
            if lower == "host" {
                continue;
            }
            let holds_secret = sensitive
                .iter()
                .any(|s| !s.is_empty() && value.contains(s.as_str()));
            if credential_name(&lower) || holds_secret {
                dropped.push(name);
                continue;
            }
        }
        headers.push((name, value));
    }
    Ok((
        HopRequest {
            method,
            url,
            headers,
            body,
        },
        dropped,
    ))
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

    fn follow(req: HopRequest, status: u16, location: &str) -> HopRequest {
        redirected(req, status, location, &[]).expect("redirect").0
    }

    #[test]
    fn see_other_switches_to_get_and_drops_body() {
        let next = follow(post("http://a.test/x"), 303, "/done");
        assert_eq!(next.method, http::Method::GET);
        assert!(next.body.is_empty());
        assert_eq!(next.url.as_str(), "http://a.test/done");
        assert_eq!(names(&next), ["Authorization", "Cookie", "X-Trace"]);
    }

    #[test]
    fn temporary_redirect_keeps_method_and_body() {
        let next = follow(post("http://a.test/x"), 307, "y");
        assert_eq!(next.method, http::Method::POST);
        assert_eq!(&next.body[..], b"{}");
        assert_eq!(next.url.as_str(), "http://a.test/y");
    }

    #[test]
    fn cross_host_redirect_drops_credentials() {
        let (next, dropped) =
            redirected(post("http://a.test/x"), 308, "http://b.test/x", &[]).expect("redirect");
        assert_eq!(names(&next), ["Content-Type", "X-Trace"]);
        assert_eq!(dropped, ["Authorization", "Cookie"]);
        let same = follow(post("http://a.test/x"), 308, "http://a.test/z");
        assert_eq!(same.headers.len(), 4);
    }

    #[test]
    fn https_to_http_on_the_same_host_and_port_drops_credentials() {
        let (next, dropped) = redirected(
            post("https://a.test:8443/x"),
            307,
            "http://a.test:8443/x",
            &[],
        )
        .expect("redirect");
        assert_eq!(names(&next), ["Content-Type", "X-Trace"]);
        assert_eq!(dropped, ["Authorization", "Cookie"]);
    }

    #[test]
    fn cross_origin_redirect_drops_headers_holding_a_sensitive_value() {
        let mut req = post("http://a.test/x");
        req.headers
            .push(("X-Api-Key".into(), "key-FAKE-1234".into()));
        req.headers
            .push(("X-Note".into(), "token=key-FAKE-1234;v=1".into()));
        let sensitive = vec!["key-FAKE-1234".to_owned(), String::new()];
        let (next, dropped) =
            redirected(req.clone(), 307, "http://b.test/x", &sensitive).expect("redirect");
        assert_eq!(names(&next), ["Content-Type", "X-Trace"]);
        assert_eq!(dropped, ["Authorization", "Cookie", "X-Api-Key", "X-Note"]);
        // The same origin keeps them: the secret is meant for it.
        let (same, dropped) =
            redirected(req, 307, "http://a.test/y", &sensitive).expect("redirect");
        assert_eq!(same.headers.len(), 6);
        assert!(dropped.is_empty());
    }

    #[test]
    fn conventional_credential_header_names_never_leave_the_origin() {
        let mut req = post("http://a.test/x");
        req.headers.push(("X-Api-Key".into(), "k".into()));
        req.headers.push(("X-Auth-Token".into(), "t".into()));
        req.headers.push(("X-Request-Id".into(), "r".into()));
        let (next, dropped) = redirected(req, 307, "http://b.test/x", &[]).expect("redirect");
        assert_eq!(names(&next), ["Content-Type", "X-Trace", "X-Request-Id"]);
        assert_eq!(
            dropped,
            ["Authorization", "Cookie", "X-Api-Key", "X-Auth-Token"]
        );
    }

    #[test]
    fn unsupported_location_is_an_error() {
        let err = redirected(post("http://a.test/x"), 302, "ftp://a.test/f", &[]).expect_err("ftp");
        assert!(err.to_string().contains("unsupported scheme ftp"), "{err}");
        let err =
            redirected(post("http://a.test/x"), 302, "http://[::1", &[]).expect_err("bad url");
        assert!(matches!(err, HttpError::BadRedirect { .. }), "{err}");
    }
}
