//! HTTPS hygiene of the demo: HSTS and the security-header bundle on every response (also
//! over plain HTTP, where browsers ignore HSTS), and the session cookie login sets.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// HSTS for a year, subdomains included.
const HSTS: &str = "max-age=31536000; includeSubDomains";
/// Same-origin resources only, never framed.
const CSP: &str = "default-src 'self'; frame-ancestors 'none'";

/// Adds HSTS, CSP, `X-Content-Type-Options`, and `Referrer-Policy` unless a handler set them.
pub(crate) async fn headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    for (name, value) in [
        (header::STRICT_TRANSPORT_SECURITY, HSTS),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}

/// The `Set-Cookie` value of a session: Secure, HttpOnly, SameSite=Lax.
pub(crate) fn session_cookie(token: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "session={token}; Path=/; Secure; HttpOnly; SameSite=Lax"
    ))
    .ok()
}
