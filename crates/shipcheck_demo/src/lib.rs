//! The embedded demo service that `shipcheck demo` starts and verifies.
//!
//! It is shaped like the vehicle-diagnostics web app of FIELD.md system 1: liveness and
//! readiness endpoints, `/docs`, `/openapi.json`, `/metrics`, a frontend page with static
//! assets, CORS on `/api/*`, login issuing a bearer token, a vehicles list and command
//! submission, backed by a SQLite file created fresh at every start. The same router is served
//! over plain HTTP and over HTTPS with a CA generated at start.
//!
//! [`Scenario`]s reproduce the incidents of FIELD.md (schema drift, a password-hashing 500,
//! missing seed data, slowness, flakiness) so that a plan run against the service shows the
//! report catching real failure modes.
//!
//! This crate does not run plans, print anything or read the environment: the binary starts the
//! service with [`start`], points its bundled plan at [`DemoServer`]'s URLs and CA, and calls
//! [`DemoServer::shutdown`] when done.
//!
//! ```no_run
//! # async fn demo() -> Result<(), shipcheck_demo::DemoError> {
//! use shipcheck_demo::{DemoOptions, Scenario};
//! let server = shipcheck_demo::start(DemoOptions {
//!     scenario: Scenario::Healthy,
//!     delay: std::time::Duration::ZERO,
//!     data_dir: "target/demo".into(),
//!     port: 0,
//! })
//! .await?;
//! println!("{} {}", server.http_url, server.https_url);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod api;
mod app;
mod assets;
mod auth;
mod commands;
mod db;
mod dns;
mod error;
mod hygiene;
mod layers;
mod metrics;
mod rollout;
mod scenario;
mod serve;
mod server;
mod stream;
mod tls;
mod webhook;

pub use dns::DEMO_NAME;
pub use error::DemoError;
pub use scenario::{ParseScenarioError, Scenario};
pub use server::{DemoOptions, DemoServer, start};
