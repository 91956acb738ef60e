//! A headless Chromium driven over the DevTools protocol (through `chromiumoxide`), for the
//! `browser` probe kind: [`Chromium::launch`] starts the browser in a process group of its own
//! with a fresh profile (a temporary directory, removed after) and [`Chromium::visit`] opens a
//! page with its requests limited to a list of hosts, runs a short flow (fill, click, wait),
//! and reports what a user would have met: console errors, failed requests, the title, the
//! text of selectors, Navigation Timing and a PNG screenshot.
//!
//! Dropping a [`Chromium`] kills its whole process group, so a timeout or a cancelled run
//! (which drops the future holding it) leaves no browser behind.

mod error;
mod events;
mod launch;
mod visit;

pub use error::Error;
pub use launch::{Chromium, LaunchConfig, find_chromium};
pub use visit::{FailedRequest, Found, PageReport, Step, Timing, Visit};
