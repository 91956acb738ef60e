//! Test support for shipcheck's integration tests, used only as a dev-dependency.
//!
//! It starts real servers as child processes on 127.0.0.1 — a private [`Nginx`] built from
//! the caller's server blocks, a PostgreSQL cluster ([`postgres::Postgres`]), a
//! `redis-server` ([`redis::Redis`]), a Prometheus ([`prometheus::Prometheus`]) and a
//! Kubernetes API double ([`kube_api::KubeApi`], in-process) — each in its own temporary
//! directory, on free ports, and killed by PID when dropped.
//! For the hardening tests it also has servers that misbehave on purpose ([`faults`],
//! [`faults_tls`], [`faults_dns`]) and runs a command measuring its wall time and peak RSS
//! ([`measure`]). [`skip_or_fail`] lets a test skip when a server is not
//! installed, except under `CI=true`, where a missing install step must fail loudly.
//!
//! It does not know shipcheck's plans, probes or reports (those helpers stay with the tests
//! that need them), and it panics on any set-up failure: a broken fixture is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: failing loudly is the point"
)]

mod certs;
pub mod faults;
pub mod faults_dns;
pub mod faults_tls;
pub mod kube_api;
pub mod measure;
mod net;
mod nginx;
pub mod postgres;
pub mod prometheus;
pub mod redis;
mod skip;

pub use certs::{Ca, Leaf, self_signed, write_certs};
pub use net::{free_port, listening};
pub use nginx::{Listen, Nginx, NginxBuilder};
pub use skip::skip_or_fail;
