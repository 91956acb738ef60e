//! Handlers for health, metrics and the `/api/v1` endpoints.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::app::SharedState;
use crate::auth::{random_hex, verify_password};
use crate::db;
use crate::scenario::Scenario;

const MAX_USERNAME: usize = 256;
const MAX_PASSWORD: usize = 1024;
const MAX_COMMAND: usize = 256;

/// A JSON error body `{"detail": …}`, as FastAPI answers.
pub(crate) fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

/// Any path no route matches.
pub(crate) async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "not found")
}

/// `GET /health/live`
pub(crate) async fn live() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// `GET /health/ready`: runs `SELECT 1` on the database.
pub(crate) async fn ready(State(state): State<SharedState>) -> Response {
    match state.db.call(db::ping).await {
        Ok(_) => Json(json!({ "status": "ok", "checks": { "database": "ok" } })).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "error", "checks": { "database": "error" } })),
        )
            .into_response(),
    }
}

/// `GET /metrics`
pub(crate) async fn metrics(State(state): State<SharedState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct LoginRequest {
    username: String,
    password: String,
}

/// `POST /api/v1/auth/login`
pub(crate) async fn login(
    State(state): State<SharedState>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Response {
    let Json(LoginRequest { username, password }) = match body {
        Ok(body) => body,
        Err(rejection) => return detail(rejection.status(), &rejection.body_text()),
    };
    if username.len() > MAX_USERNAME || password.len() > MAX_PASSWORD {
        return detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "username or password too long",
        );
    }
    let user = match state.db.call(move |c| db::find_user(c, &username)).await {
        Ok(user) => user,
        Err(e) => {
            return detail(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("database error: {e}"),
            );
        }
    };
    if state.scenario == Scenario::Login500 {
        // The FIELD.md incident: the password hashing library failed on every verify.
        return detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "password hashing backend error",
        );
    }
    let Some(user) = user else {
        return invalid_credentials();
    };
    let stored = user.password_hash;
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .unwrap_or(false);
    if !matches || !user.is_active {
        return invalid_credentials();
    }
    match state.tokens.issue(user.user_id) {
        Ok(token) => {
            let mut response =
                Json(json!({ "access_token": token, "token_type": "bearer" })).into_response();
            if let Some(cookie) = crate::hygiene::session_cookie(&token) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(_) => detail(StatusCode::INTERNAL_SERVER_ERROR, "cannot issue a token"),
    }
}

fn invalid_credentials() -> Response {
    detail(StatusCode::UNAUTHORIZED, "invalid credentials")
}

/// The user id behind a valid `Authorization: Bearer …` header.
fn authenticate(state: &SharedState, headers: &HeaderMap) -> Option<i64> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .and_then(|token| state.tokens.user(token))
}

fn not_authenticated() -> Response {
    let mut response = detail(StatusCode::UNAUTHORIZED, "not authenticated");
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// `GET /api/v1/vehicles`
pub(crate) async fn vehicles(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    if authenticate(&state, &headers).is_none() {
        return not_authenticated();
    }
    match state.db.call(db::list_vehicles).await {
        Ok(vehicles) => Json(vehicles).into_response(),
        Err(e) => detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("database error: {e}"),
        ),
    }
}

#[derive(Deserialize)]
pub(crate) struct CommandRequest {
    vehicle_id: i64,
    command: String,
}

/// `POST /api/v1/commands`: stores the command and answers 202 with its id.
pub(crate) async fn submit_command(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Result<Json<CommandRequest>, JsonRejection>,
) -> Response {
    let Some(user_id) = authenticate(&state, &headers) else {
        return not_authenticated();
    };
    let Json(CommandRequest {
        vehicle_id,
        command,
    }) = match body {
        Ok(body) => body,
        Err(rejection) => return detail(rejection.status(), &rejection.body_text()),
    };
    if command.is_empty() || command.len() > MAX_COMMAND {
        return detail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "command must be 1 to 256 bytes",
        );
    }
    let Ok(command_id) = random_hex(16) else {
        return detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot create a command id",
        );
    };
    let (id, cmd) = (command_id.clone(), command.clone());
    let stored = state
        .db
        .call(move |c| db::insert_command(c, &id, vehicle_id, user_id, &cmd))
        .await;
    match stored {
        Ok(true) => {
            state.commands.submit(&command_id, vehicle_id, &command);
            (
                StatusCode::ACCEPTED,
                Json(json!({ "command_id": command_id, "status": "queued" })),
            )
                .into_response()
        }
        Ok(false) => detail(StatusCode::NOT_FOUND, "vehicle not found"),
        Err(e) => detail(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("database error: {e}"),
        ),
    }
}
