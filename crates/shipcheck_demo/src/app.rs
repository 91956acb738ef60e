//! The router and the state its handlers share.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

use crate::auth::TokenStore;
use crate::commands::CommandHub;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::scenario::Scenario;
use crate::{api, assets, layers};

/// Largest request body the JSON extractors accept.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// Everything the handlers and middleware share.
pub(crate) struct AppState {
    pub(crate) scenario: Scenario,
    /// Added to every response (`--delay`).
    pub(crate) delay: Duration,
    pub(crate) db: Db,
    pub(crate) tokens: TokenStore,
    pub(crate) metrics: Metrics,
    pub(crate) commands: CommandHub,
    /// Requests per URL seen by the `flaky` scenario's fault layer.
    pub(crate) request_counts: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    /// Origins allowed by CORS on `/api/*`.
    pub(crate) allowed_origins: Vec<String>,
    /// HMAC key of the signed webhook endpoint.
    pub(crate) webhook_secret: String,
    /// The version served and the rolling restarts asked for.
    pub(crate) rollout: Arc<crate::rollout::Rollout>,
}

pub(crate) type SharedState = Arc<AppState>;

/// The whole service. Layers run outermost first: metrics and `--delay`, then the scenario's
/// faults (`flaky`, `slow`), then CORS, then the handler.
pub(crate) fn router(state: SharedState) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/static/app.js", get(assets::app_js))
        .route("/static/app.css", get(assets::app_css))
        .route("/docs", get(assets::docs))
        .route("/openapi.json", get(assets::openapi))
        .route("/metrics", get(api::metrics))
        .route("/health/live", get(api::live))
        .route("/health/ready", get(api::ready))
        .route("/api/v1/auth/login", post(api::login))
        .route("/api/v1/vehicles", get(api::vehicles))
        .route("/api/v1/commands", post(api::submit_command))
        .route("/ws/responses/{command_id}", get(crate::stream::responses))
        .route("/webhooks/diagnostics", post(crate::webhook::receive))
        .route("/admin/upgrade", post(crate::rollout::upgrade))
        .route("/admin/rollback", post(crate::rollout::rollback))
        .fallback(api::not_found)
        .layer(from_fn_with_state(Arc::clone(&state), layers::cors))
        .layer(from_fn_with_state(Arc::clone(&state), layers::faults))
        .layer(from_fn_with_state(Arc::clone(&state), layers::observe))
        .layer(from_fn_with_state(
            Arc::clone(&state),
            crate::rollout::version_header,
        ))
        .layer(axum::middleware::from_fn(crate::hygiene::headers))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
