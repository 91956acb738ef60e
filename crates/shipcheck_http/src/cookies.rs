//! [`CookieJar`]: cookies a server set, sent back on later requests to it (a login, then the
//! calls that need its session), scoped as browsers scope them (RFC 6265, without the public
//! suffix list: a `Domain` must be the host itself or a parent of it with a dot).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// At most this many cookies are kept; the oldest go first.
const MAX_COOKIES: usize = 256;

/// A cookie store shared by clones: give the same jar to the requests of one flow.
///
/// Its values are credentials: [`CookieJar::values`] lists them for redaction, and `Debug`
/// shows only names.
#[derive(Clone, Default)]
pub struct CookieJar {
    cookies: Arc<Mutex<Vec<Cookie>>>,
}

#[derive(Clone)]
struct Cookie {
    name: String,
    value: String,
    /// Lowercase host or domain.
    domain: String,
    host_only: bool,
    path: String,
    secure: bool,
    expires: Option<SystemTime>,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.lock().iter().map(|c| c.name.clone()).collect();
        f.debug_struct("CookieJar").field("names", &names).finish()
    }
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// How many cookies the jar holds (expired ones included until the next use).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when the jar holds no cookie.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cookie value held, for the redactor.
    pub fn values(&self) -> Vec<String> {
        self.lock().iter().map(|c| c.value.clone()).collect()
    }

    /// The `Cookie` header value for a request to `url` (`None` when no cookie applies).
    pub fn header_for(&self, url: &url::Url) -> Option<String> {
        let host = url.host_str()?.to_ascii_lowercase();
        let https = url.scheme() == "https";
        let path = url.path();
        let now = SystemTime::now();
        let mut cookies = self.lock();
        cookies.retain(|c| c.expires.is_none_or(|at| at > now));
        let mut matching: Vec<&Cookie> = cookies
            .iter()
            .filter(|c| {
                let domain_ok = if c.host_only {
                    host == c.domain
                } else {
                    domain_match(&host, &c.domain)
                };
                domain_ok && path_match(path, &c.path) && (https || !c.secure)
            })
            .collect();
        if matching.is_empty() {
            return None;
        }
        // Longer paths first, as RFC 6265 asks.
        matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let pairs: Vec<String> = matching
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        Some(pairs.join("; "))
    }

    /// Take the `Set-Cookie` header values of a response to `url`. Cookies for another
    /// domain are ignored; `Max-Age=0` or a past `Expires` removes one.
    pub fn store<'a>(&self, url: &url::Url, set_cookies: impl IntoIterator<Item = &'a str>) {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return;
        };
        let is_ip = matches!(url.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)));
        let now = SystemTime::now();
        let mut cookies = self.lock();
        for header in set_cookies {
            let Some(mut cookie) = parse(header, &host, url.path(), now) else {
                continue;
            };
            if !cookie.host_only && (is_ip || !domain_match(&host, &cookie.domain)) {
                continue;
            }
            if cookie.host_only {
                cookie.domain.clone_from(&host);
            }
            cookies.retain(|c| {
                !(c.name == cookie.name && c.domain == cookie.domain && c.path == cookie.path)
            });
            if cookie.expires.is_none_or(|at| at > now) {
                cookies.push(cookie);
            }
            if cookies.len() > MAX_COOKIES {
                cookies.remove(0);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Cookie>> {
        self.cookies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn parse(header: &str, host: &str, request_path: &str, now: SystemTime) -> Option<Cookie> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut cookie = Cookie {
        name: name.to_owned(),
        value: value.trim().trim_matches('"').to_owned(),
        domain: host.to_owned(),
        host_only: true,
        path: default_path(request_path),
        secure: false,
        expires: None,
    };
    let mut max_age = None;
    for attr in parts {
        let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
        let val = val.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "domain" if !val.is_empty() => {
                cookie.domain = val.trim_start_matches('.').to_ascii_lowercase();
                cookie.host_only = false;
            }
            "path" if val.starts_with('/') => cookie.path = val.to_owned(),
            "secure" => cookie.secure = true,
            "max-age" => max_age = val.parse::<i64>().ok(),
            "expires" => {
                if let Ok(at) = httpdate::parse_http_date(val) {
                    cookie.expires = Some(at);
                }
            }
            _ => {}
        }
    }
    // Max-Age wins over Expires.
    if let Some(secs) = max_age {
        cookie.expires = Some(match u64::try_from(secs) {
            Ok(secs) if secs > 0 => now + Duration::from_secs(secs),
            _ => SystemTime::UNIX_EPOCH,
        });
    }
    Some(cookie)
}

/// RFC 6265 §5.1.4: the request path up to its last `/`.
fn default_path(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(at) => path[..at].to_owned(),
    }
}

fn domain_match(host: &str, domain: &str) -> bool {
    host == domain
        || (domain.contains('.')
            && host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

fn path_match(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie)
            && (cookie.ends_with('/') || request.as_bytes().get(cookie.len()) == Some(&b'/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).expect("test url")
    }

    #[test]
    fn host_only_cookie_goes_back_to_its_host_only() {
        let jar = CookieJar::new();
        jar.store(
            &url("http://app.test/login"),
            ["session=abc; Path=/; HttpOnly"],
        );
        assert_eq!(
            jar.header_for(&url("http://app.test/api/me")).as_deref(),
            Some("session=abc")
        );
        assert_eq!(jar.header_for(&url("http://sub.app.test/")), None);
        assert_eq!(jar.header_for(&url("http://other.test/")), None);
    }

    #[test]
    fn domain_cookie_covers_subdomains_but_not_foreign_domains() {
        let jar = CookieJar::new();
        jar.store(
            &url("http://login.app.test/"),
            [
                "a=1; Domain=.app.test",
                "b=2; Domain=evil.test",
                "c=3; Domain=test",
            ],
        );
        assert_eq!(
            jar.header_for(&url("http://api.app.test/")).as_deref(),
            Some("a=1")
        );
        assert_eq!(jar.header_for(&url("http://evil.test/")), None);
        assert_eq!(jar.len(), 1);
    }

    #[test]
    fn path_secure_and_deletion() {
        let jar = CookieJar::new();
        jar.store(
            &url("https://app.test/"),
            ["s=1; Secure", "p=2; Path=/admin", "gone=3"],
        );
        assert_eq!(
            jar.header_for(&url("http://app.test/")).as_deref(),
            Some("gone=3")
        );
        assert_eq!(
            jar.header_for(&url("https://app.test/admin/x")).as_deref(),
            Some("p=2; s=1; gone=3")
        );
        assert_eq!(
            jar.header_for(&url("https://app.test/administrator"))
                .as_deref(),
            Some("s=1; gone=3")
        );
        jar.store(&url("https://app.test/"), ["gone=; Max-Age=0"]);
        jar.store(
            &url("https://app.test/"),
            ["s=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"],
        );
        assert_eq!(
            jar.header_for(&url("https://app.test/admin")).as_deref(),
            Some("p=2")
        );
        assert_eq!(jar.values(), ["2"]);
    }

    #[test]
    fn debug_shows_names_not_values() {
        let jar = CookieJar::new();
        jar.store(&url("http://app.test/"), ["session=FAKE-secret"]);
        let text = format!("{jar:?}");
        assert!(
            text.contains("session") && !text.contains("FAKE-secret"),
            "{text}"
        );
    }
}
