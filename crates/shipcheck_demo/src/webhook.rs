//! `POST /webhooks/diagnostics`: a signed webhook receiver. The body must carry
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (GitHub's scheme) under
//! the service's webhook secret: 202 when it verifies (constant-time), 401 otherwise.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ring::hmac;
use serde_json::json;

use crate::app::SharedState;

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies the signature over the raw body.
pub(crate) async fn receive(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let tag = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
        .and_then(hex_decode);
    let key = hmac::Key::new(hmac::HMAC_SHA256, state.webhook_secret.as_bytes());
    match tag {
        Some(tag) if hmac::verify(&key, &body, &tag).is_ok() => (
            StatusCode::ACCEPTED,
            axum::Json(json!({ "status": "accepted" })),
        )
            .into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "detail": "invalid signature" })),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decodes_pairs_only() {
        assert_eq!(hex_decode("0aff"), Some(vec![0x0a, 0xff]));
        assert_eq!(hex_decode("0af"), None);
        assert_eq!(hex_decode("zz"), None);
    }
}
