//! Issue 14 parts 3–6 on real runs: `diff` on pairs of saved demo runs, evidence bundles
//! tampered with, GitHub/GitLab outputs and the step summary, and the JSON Schemas checked
//! with Python's `jsonschema` against every example plan and every report the tests write.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod bundle;
mod ci;
mod diff;
mod runs;
mod schema;
