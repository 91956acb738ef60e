//! The frontend page, its static assets, `/docs` and `/openapi.json`.

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const INDEX_HTML: &str = include_str!("../assets/index.html");
const APP_JS: &str = include_str!("../assets/app.js");
const APP_CSS: &str = include_str!("../assets/app.css");
const DOCS_HTML: &str = include_str!("../assets/docs.html");

fn text(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `GET /`
pub(crate) async fn index() -> Response {
    text("text/html; charset=utf-8", INDEX_HTML)
}

/// `GET /static/app.js`
pub(crate) async fn app_js() -> Response {
    text("text/javascript; charset=utf-8", APP_JS)
}

/// `GET /static/app.css`
pub(crate) async fn app_css() -> Response {
    text("text/css; charset=utf-8", APP_CSS)
}

/// `GET /docs`
pub(crate) async fn docs() -> Response {
    text("text/html; charset=utf-8", DOCS_HTML)
}

/// `GET /openapi.json`
pub(crate) async fn openapi() -> Json<Value> {
    Json(openapi_document())
}

fn detail_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn health_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } }
    })
}

/// The OpenAPI 3.0 description of the endpoints this service really serves.
pub(crate) fn openapi_document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Vehicle Diagnostics API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The shipcheck demo service, shaped like a FastAPI vehicle-diagnostics backend."
        },
        "paths": {
            "/health/live": { "get": {
                "operationId": "liveness", "tags": ["health"], "summary": "Liveness probe",
                "responses": { "200": health_response("The process is up") }
            }},
            "/health/ready": { "get": {
                "operationId": "readiness", "tags": ["health"], "summary": "Readiness probe (checks the database)",
                "responses": {
                    "200": health_response("All dependencies are reachable"),
                    "503": health_response("A dependency is down")
                }
            }},
            "/metrics": { "get": {
                "operationId": "metrics", "tags": ["ops"], "summary": "Prometheus metrics",
                "responses": { "200": {
                    "description": "Prometheus text exposition",
                    "content": { "text/plain": { "schema": { "type": "string" } } }
                }}
            }},
            "/api/v1/auth/login": { "post": {
                "operationId": "login", "tags": ["auth"], "summary": "Exchange credentials for a bearer token",
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/LoginRequest" } } } },
                "responses": {
                    "200": { "description": "Signed in", "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/Token" } } } },
                    "401": detail_response("Invalid credentials"),
                    "422": detail_response("Malformed request"),
                    "500": detail_response("Server error")
                }
            }},
            "/api/v1/vehicles": { "get": {
                "operationId": "listVehicles", "tags": ["vehicles"], "summary": "List vehicles",
                "security": [{ "bearerAuth": [] }],
                "responses": {
                    "200": { "description": "The vehicles", "content": { "application/json": {
                        "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Vehicle" } } } } },
                    "401": detail_response("Not authenticated"),
                    "500": detail_response("Server error")
                }
            }},
            "/api/v1/commands": { "post": {
                "operationId": "submitCommand", "tags": ["commands"], "summary": "Submit a diagnostic command to a vehicle",
                "security": [{ "bearerAuth": [] }],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/CommandRequest" } } } },
                "responses": {
                    "202": { "description": "Queued", "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/CommandAccepted" } } } },
                    "401": detail_response("Not authenticated"),
                    "404": detail_response("Unknown vehicle"),
                    "422": detail_response("Malformed request")
                }
            }}
        },
        "components": {
            "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "required": ["detail"],
                    "properties": { "detail": { "type": "string" } } },
                "Health": { "type": "object", "required": ["status"], "properties": {
                    "status": { "type": "string", "enum": ["ok", "error"] },
                    "checks": { "type": "object", "additionalProperties": { "type": "string" } } } },
                "LoginRequest": { "type": "object", "required": ["username", "password"], "properties": {
                    "username": { "type": "string" }, "password": { "type": "string", "format": "password" } } },
                "Token": { "type": "object", "required": ["access_token", "token_type"], "properties": {
                    "access_token": { "type": "string" }, "token_type": { "type": "string", "enum": ["bearer"] } } },
                "Vehicle": { "type": "object", "required": ["vehicle_id", "vin", "model", "updated_at"], "properties": {
                    "vehicle_id": { "type": "integer" }, "vin": { "type": "string" },
                    "model": { "type": "string" }, "updated_at": { "type": "string", "format": "date-time" } } },
                "CommandRequest": { "type": "object", "required": ["vehicle_id", "command"], "properties": {
                    "vehicle_id": { "type": "integer" }, "command": { "type": "string", "maxLength": 256 } } },
                "CommandAccepted": { "type": "object", "required": ["command_id", "status"], "properties": {
                    "command_id": { "type": "string" }, "status": { "type": "string", "enum": ["queued"] } } }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openapi_refs_resolve_and_operation_ids_are_unique() {
        let doc = openapi_document();
        let text = doc.to_string();
        let schemas = &doc["components"]["schemas"];
        for part in text.split("\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(schemas.get(name).is_some(), "dangling $ref {name}");
        }
        let mut ids = Vec::new();
        for (_, item) in doc["paths"].as_object().unwrap() {
            for (_, op) in item.as_object().unwrap() {
                ids.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert!(ids.contains(&"login".to_owned()) && ids.contains(&"listVehicles".to_owned()));
    }

    #[test]
    fn index_references_assets_and_marker() {
        assert!(INDEX_HTML.contains("/static/app.js"));
        assert!(INDEX_HTML.contains("/static/app.css"));
        assert!(INDEX_HTML.contains(r#"<div id="root" data-app="vehicle-diagnostics">"#));
        assert!(DOCS_HTML.contains("/openapi.json"));
    }
}
