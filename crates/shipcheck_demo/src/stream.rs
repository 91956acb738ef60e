//! `GET /ws/responses/{command_id}?token=…`: the WebSocket stream of FIELD.md system 1. After
//! the upgrade it sends the command's scripted responses (accepted, executing, completed) 100 ms
//! apart, then closes normally. A missing or unknown token is 401, an unknown command 404,
//! both before the upgrade.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::SharedState;

/// Pause before each message, so a client sees a stream rather than one burst.
const PACE: Duration = Duration::from_millis(100);

/// The query string of the stream.
#[derive(Deserialize)]
pub(crate) struct StreamQuery {
    token: Option<String>,
}

fn detail(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "detail": text }))).into_response()
}

/// Checks the token and the command, then upgrades.
pub(crate) async fn responses(
    State(state): State<SharedState>,
    Path(command_id): Path<String>,
    Query(query): Query<StreamQuery>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let authenticated = query
        .token
        .as_deref()
        .and_then(|t| state.tokens.user(t))
        .is_some();
    if !authenticated {
        return detail(StatusCode::UNAUTHORIZED, "not authenticated");
    }
    let Some(messages) = state.commands.responses(&command_id) else {
        return detail(StatusCode::NOT_FOUND, "unknown command");
    };
    match upgrade {
        Ok(ws) => ws.on_upgrade(move |socket| stream(socket, messages)),
        Err(rejection) => rejection.into_response(),
    }
}

async fn stream(mut socket: WebSocket, messages: Vec<Value>) {
    for m in messages {
        tokio::time::sleep(PACE).await;
        if socket
            .send(Message::Text(m.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 1000,
            reason: "all responses sent".into(),
        })))
        .await;
}
