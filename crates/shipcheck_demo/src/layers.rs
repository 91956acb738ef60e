//! Middleware: request metrics and `--delay`, the scenario's faults, and CORS on `/api/*`.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::detail;
use crate::app::SharedState;
use crate::scenario::Scenario;

/// How late the `slow` scenario answers `/api/*` and `/health/live`.
pub(crate) const SLOW_DELAY: Duration = Duration::from_millis(300);
/// Bound on the URLs the `flaky` scenario counts (the map is reset past it).
const MAX_FLAKY_URLS: usize = 10_000;
const CORS_ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
const CORS_ALLOWED_HEADERS: &str = "authorization, content-type";
const CORS_MAX_AGE: &str = "600";

/// Outermost layer: adds `--delay` to every response and records metrics for every request,
/// labelled by route template (bounded cardinality) rather than raw path.
pub(crate) async fn observe(
    State(state): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let response = next.run(req).await;
    if !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    state
        .metrics
        .observe(method, &path, response.status().as_u16(), started.elapsed());
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The scenario's faults, applied before the handler runs.
pub(crate) async fn faults(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    match state.scenario {
        Scenario::Flaky => {
            // Deterministic: the 2nd, 4th, 6th… request to each URL (method, path and
            // query) fails, so one client retrying one URL sees 503 then 200 whatever
            // other clients do concurrently.
            // The browser check's page load is a burst of requests (page, assets, the
            // login's API calls) that no retry replays in step, so requests from headless
            // Chromium are left alone: this scenario is a flaky API for the HTTP checks.
            let browser = req
                .headers()
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ua| ua.contains("HeadlessChrome"));
            if browser {
                return next.run(req).await;
            }
            let key = format!("{} {}", req.method(), req.uri());
            let n = {
                let mut counts = state
                    .request_counts
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if counts.len() >= MAX_FLAKY_URLS && !counts.contains_key(&key) {
                    counts.clear();
                }
                let n = counts.entry(key).or_insert(0);
                *n += 1;
                *n
            };
            if n % 2 == 0 {
                return detail(StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable");
            }
            next.run(req).await
        }
        Scenario::Slow => {
            let path = req.uri().path();
            let slow = path == "/health/live" || path.starts_with("/api/");
            if slow {
                tokio::time::sleep(SLOW_DELAY).await;
            }
            next.run(req).await
        }
        Scenario::BrokenAsset if req.uri().path() == "/static/app.css" => {
            detail(StatusCode::NOT_FOUND, "Not Found")
        }
        Scenario::Healthy
        | Scenario::SchemaDrift
        | Scenario::Login500
        | Scenario::NoSeedData
        | Scenario::BrokenAsset => next.run(req).await,
    }
}

/// CORS for `/api/*`: answers preflights itself and adds `Access-Control-Allow-Origin` to
/// responses for allowed origins only. Other paths pass through untouched.
pub(crate) async fn cors(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let allowed = req
        .headers()
        .get(header::ORIGIN)
        .filter(|origin| {
            state
                .allowed_origins
                .iter()
                .any(|allowed| origin.as_bytes() == allowed.as_bytes())
        })
        .cloned();
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        if allowed.is_some() {
            let headers = response.headers_mut();
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(CORS_ALLOWED_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(CORS_ALLOWED_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(CORS_MAX_AGE),
            );
        }
        response
    } else {
        next.run(req).await
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}
