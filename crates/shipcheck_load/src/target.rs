//! The URL under load: parsed, resolved, checked against the allowed hosts, and the
//! request serialised once.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use crate::LoadError;

/// A resolved `http://` target.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL as given (for reports).
    pub url: String,
    /// The host named in the URL.
    pub host: String,
    /// The addresses it resolved to (connections spread over them in order).
    pub addrs: Vec<SocketAddr>,
    /// `Host` header value.
    host_header: String,
    /// Path and query.
    path: String,
}

/// Whether `host` (as written in a URL: a name, an IPv4 or a bracketed IPv6 address) is
/// loopback by itself: `localhost`, `*.localhost`, 127.0.0.0/8 or `::1`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let lower = h.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return true;
    }
    h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parses and resolves `url`, and refuses it unless every address is loopback or the host
/// is in `allowed` (compared case-insensitively, without brackets).
pub fn check_target(url: &str, allowed: &[String]) -> Result<Target, LoadError> {
    let bad = |reason: &str| LoadError::Url {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    match parsed.scheme() {
        "http" => {}
        "https" => {
            return Err(bad(
                "https is not supported by the load generator yet (HTTP/1.1 over TCP only)",
            ));
        }
        other => return Err(bad(&format!("scheme `{other}` is not http"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("credentials in the URL are not sent; use a header"));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| bad("the URL has no host"))?
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (bare, port)
        .to_socket_addrs()
        .map_err(|e| LoadError::Resolve {
            host: host.clone(),
            message: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(LoadError::Resolve {
            host,
            message: "no addresses".into(),
        });
    }
    let is_allowed = allowed.iter().any(|a| {
        a.trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(bare)
    });
    if !is_allowed && let Some(a) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        let detail = if bare.parse::<IpAddr>().is_ok() {
            String::new()
        } else {
            format!(" (it resolves to {})", a.ip())
        };
        return Err(LoadError::NotAllowed { host, detail });
    }
    let mut path = parsed.path().to_owned();
    if let Some(q) = parsed.query() {
        path.push('?');
        path.push_str(q);
    }
    let host_header = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    Ok(Target {
        url: url.to_owned(),
        host,
        addrs,
        host_header,
        path,
    })
}

impl Target {
    /// The request, serialised once: `method path HTTP/1.1`, `Host`, the given headers,
    /// `Content-Length` when there is a body (or the method usually has one), the body.
    pub(crate) fn request(
        &self,
        method: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<u8>, LoadError> {
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        };
        if !token(method) {
            return Err(LoadError::Config(format!(
                "`{method}` is not an HTTP method"
            )));
        }
        let mut out = Vec::with_capacity(256 + body.len());
        out.extend_from_slice(format!("{method} {} HTTP/1.1\r\n", self.path).as_bytes());
        let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        if !has("host") {
            out.extend_from_slice(format!("Host: {}\r\n", self.host_header).as_bytes());
        }
        for (k, v) in headers {
            if !token(k) {
                return Err(LoadError::Config(format!("`{k}` is not a header name")));
            }
            if v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                return Err(LoadError::Config(format!(
                    "the value of header `{k}` has a line break"
                )));
            }
            if k.eq_ignore_ascii_case("content-length")
                || k.eq_ignore_ascii_case("transfer-encoding")
                || k.eq_ignore_ascii_case("connection")
            {
                return Err(LoadError::Config(format!(
                    "header `{k}` is set by the load generator"
                )));
            }
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        if !has("user-agent") {
            out.extend_from_slice(b"User-Agent: shipcheck-load\r\n");
        }
        if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
            out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for h in [
            "localhost",
            "127.0.0.1",
            "127.8.9.1",
            "[::1]",
            "api.localhost",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "10.0.0.1",
            "example.com",
            "[2001:db8::1]",
            "localhost.example",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn a_non_loopback_address_is_refused_unless_allowed() {
        let e = check_target("http://192.0.2.10:8080/", &[]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("refusing to send load to `192.0.2.10`"),
            "{msg}"
        );
        assert!(msg.contains("--allow-target 192.0.2.10"), "{msg}");
        // Allowed by name: accepted (nothing is sent by check_target).
        let t = check_target("http://192.0.2.10:8080/x?y=1", &["192.0.2.10".into()]).unwrap();
        assert_eq!(t.path, "/x?y=1");
        assert!(check_target("https://127.0.0.1/", &[]).is_err());
        assert!(check_target("http://u:p@127.0.0.1/", &[]).is_err());
    }

    #[test]
    fn the_request_is_serialised_once_with_host_and_length() {
        let t = check_target("http://127.0.0.1:8080/a", &[]).unwrap();
        let r = t
            .request("POST", &[("X-A".into(), "1".into())], b"hi")
            .unwrap();
        let text = String::from_utf8(r).unwrap();
        assert_eq!(
            text,
            "POST /a HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-A: 1\r\nUser-Agent: shipcheck-load\r\nContent-Length: 2\r\n\r\nhi"
        );
        assert!(
            t.request("GET", &[("X".into(), "a\r\nb".into())], b"")
                .is_err()
        );
        assert!(t.request("G ET", &[], b"").is_err());
    }
}
