//! [`ProxyConfig`]: which requests go through an HTTP proxy (`CONNECT` tunnels for https,
//! absolute-form requests for http), as curl reads `https_proxy`, `http_proxy` and `no_proxy`.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::connect::Target;
use crate::error::HttpError;

/// The longest proxy answer head to a `CONNECT` that is read.
const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// Proxies for http and https requests, and the hosts that bypass them.
#[derive(Debug, Clone, Default)]
pub struct ProxyConfig {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: Vec<String>,
}

/// One proxy: where it is and the `Proxy-Authorization` its URL's credentials give.
#[derive(Clone)]
pub(crate) struct Proxy {
    pub(crate) url: url::Url,
    pub(crate) authorization: Option<String>,
    /// `host:port`, no credentials: for records and messages.
    pub(crate) label: String,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

impl ProxyConfig {
    /// From the environment, as curl reads it: `https_proxy` or `HTTPS_PROXY`, `http_proxy`
    /// (lowercase only: `HTTP_PROXY` can be set by a CGI request header, "httpoxy"),
    /// `no_proxy` or `NO_PROXY`. Unset or empty variables mean no proxy.
    pub fn from_env() -> Result<ProxyConfig, HttpError> {
        let var = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        ProxyConfig::from_values(
            var(&["http_proxy"]).as_deref(),
            var(&["https_proxy", "HTTPS_PROXY"]).as_deref(),
            var(&["no_proxy", "NO_PROXY"]).as_deref(),
        )
    }

    /// From explicit values (same syntax as the variables): proxy URLs `http://[user:pass@]host:port`
    /// and a comma-separated `no_proxy` list of hosts, domain suffixes (`.example.com` or
    /// `example.com`, both match subdomains) or `*`.
    pub fn from_values(
        http: Option<&str>,
        https: Option<&str>,
        no_proxy: Option<&str>,
    ) -> Result<ProxyConfig, HttpError> {
        Ok(ProxyConfig {
            http: http.map(parse_proxy).transpose()?,
            https: https.map(parse_proxy).transpose()?,
            no_proxy: no_proxy
                .unwrap_or_default()
                .split(',')
                .map(|entry| entry.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|entry| !entry.is_empty())
                .collect(),
        })
    }

    /// The proxy for `url`, or `None` to connect directly.
    pub(crate) fn proxy_for(&self, url: &url::Url) -> Option<&Proxy> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            _ => self.http.as_ref(),
        }?;
        let host = url
            .host_str()?
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        let bypass = self.no_proxy.iter().any(|entry| {
            let entry = entry.split_once(':').map_or(entry.as_str(), |(h, _)| h);
            entry == "*"
                || host == entry
                || (host.ends_with(entry) && host[..host.len() - entry.len()].ends_with('.'))
        });
        (!bypass).then_some(proxy)
    }
}

fn parse_proxy(text: &str) -> Result<Proxy, HttpError> {
    let invalid = |reason: &str| HttpError::InvalidRequest {
        url: "the proxy url".into(),
        reason: reason.to_owned(),
    };
    let text = text.trim();
    // curl accepts `host:port` without a scheme.
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|_| invalid("is not a valid url"))?;
    if url.scheme() != "http" {
        return Err(invalid(
            "must be an http:// proxy (tls to the proxy is not supported)",
        ));
    }
    let host = url.host_str().ok_or_else(|| invalid("has no host"))?;
    let port = url.port_or_known_default().unwrap_or(80);
    let authorization = (!url.username().is_empty()).then(|| {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        crate::types::BasicAuth {
            user: decode(url.username()),
            password: decode(url.password().unwrap_or_default()),
        }
        .header_value()
    });
    Ok(Proxy {
        label: format!("{host}:{port}"),
        url,
        authorization,
    })
}

/// Ask the proxy on `tcp` for a tunnel to `target` (`CONNECT host:port`); the stream then
/// carries the TLS handshake with the origin.
pub(crate) async fn tunnel(
    tcp: &mut TcpStream,
    target: &Target,
    proxy: &Proxy,
) -> Result<(), HttpError> {
    let fail = |reason: String| HttpError::Connect {
        addr: format!("{} through proxy {}", target.label, proxy.label),
        reason,
    };
    let mut head = format!(
        "CONNECT {0} HTTP/1.1\r\nhost: {0}\r\nuser-agent: shipcheck\r\n",
        target.label
    );
    if let Some(auth) = &proxy.authorization {
        head.push_str("proxy-authorization: ");
        head.push_str(auth);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| fail(crate::connect::io_reason(&e)))?;

    // Byte by byte up to the blank line: nothing of the tunnel after it may be consumed.
    let mut answer = Vec::with_capacity(256);
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_CONNECT_HEAD {
            return Err(fail("the proxy's answer head is too long".into()));
        }
        let byte = tcp.read_u8().await.map_err(|e| {
            fail(format!(
                "the proxy closed the tunnel request ({})",
                crate::connect::io_reason(&e)
            ))
        })?;
        answer.push(byte);
    }
    let status_line = String::from_utf8_lossy(&answer);
    let status_line = status_line.lines().next().unwrap_or_default();
    let code = status_line.split_whitespace().nth(1).unwrap_or_default();
    if code.len() == 3 && code.starts_with('2') {
        return Ok(());
    }
    let shown: String = status_line
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    Err(fail(format!("the proxy refused the tunnel: {shown}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).expect("test url")
    }

    #[test]
    fn no_proxy_matches_hosts_suffixes_and_star() {
        let config = ProxyConfig::from_values(
            Some("http://proxy.test:3128"),
            Some("proxy.test:3129"),
            Some("localhost, .internal.test,10.0.0.1,api.example.com:443"),
        )
        .expect("config");
        let via = |u: &str| config.proxy_for(&url(u)).map(|p| p.label.clone());
        assert_eq!(
            via("https://example.com/").as_deref(),
            Some("proxy.test:3129")
        );
        assert_eq!(
            via("http://example.com/").as_deref(),
            Some("proxy.test:3128")
        );
        assert_eq!(via("http://localhost:8080/"), None);
        assert_eq!(via("https://a.internal.test/"), None);
        assert_eq!(via("https://internal.test/"), None);
        assert_eq!(
            via("https://notinternal.test/").as_deref(),
            Some("proxy.test:3129")
        );
        assert_eq!(via("http://10.0.0.1/"), None);
        assert_eq!(via("https://api.example.com/"), None);
        let all = ProxyConfig::from_values(Some("http://p:1"), None, Some("*")).expect("config");
        assert!(all.proxy_for(&url("http://x.test/")).is_none());
        assert!(
            all.proxy_for(&url("https://x.test/")).is_none(),
            "no https proxy set"
        );
    }

    #[test]
    fn proxy_credentials_become_proxy_authorization_and_stay_out_of_the_label() {
        let config =
            ProxyConfig::from_values(Some("http://ops:p%40ss@proxy.test:3128"), None, None)
                .expect("config");
        let proxy = config.proxy_for(&url("http://x.test/")).expect("proxy");
        assert_eq!(proxy.label, "proxy.test:3128");
        // base64("ops:p@ss")
        assert_eq!(proxy.authorization.as_deref(), Some("Basic b3BzOnBAc3M="));
        assert_eq!(format!("{proxy:?}"), "proxy.test:3128");
    }

    #[test]
    fn tls_proxies_are_refused() {
        let err = ProxyConfig::from_values(None, Some("https://proxy.test"), None)
            .expect_err("https proxy");
        assert!(
            err.to_string().contains("must be an http:// proxy"),
            "{err}"
        );
    }
}
