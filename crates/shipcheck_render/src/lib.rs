//! Renderers of the shipcheck report model: terminal, Markdown, HTML, JSON, JUnit XML and
//! SARIF.
//!
//! Every command (`verify`, `demo`, `lint`, `report`) renders the same model here; a lint
//! run's terminal output shows code frames from the findings' own snippets, and SARIF takes
//! rule help from the report's `rules` table.
//!
//! Each renderer is a pure function of a [`shipcheck_report::Report`] and a
//! [`RenderConfig`], writing to any [`std::io::Write`]. The report must already be
//! redacted; renderers print only what the report holds and never estimate a number.
//!
//! Non-responsibilities: this crate reads no files, opens no network connections, reads no
//! environment variables (the caller decides colour from the TTY and `NO_COLOR`), and knows
//! nothing about probes or the runner.
//!
//! ```
//! use shipcheck_render::{Format, RenderConfig, render_to_string};
//! use shipcheck_report::{CheckResult, Report, RunInfo, Status};
//!
//! let mut check = CheckResult::new("liveness", "http");
//! check.status = Status::Passed;
//! let report = Report::new(RunInfo::default(), vec![check], Vec::new());
//! let md = render_to_string(Format::Markdown, &report, &RenderConfig::default()).unwrap();
//! assert!(md.contains("## Verdict"));
//! ```

mod attachments;
mod diff;
mod error;
mod format;
mod frames;
mod github;
mod gitlab;
mod html;
mod json;
mod junit;
mod markdown;
mod md_escape;
mod progress;
mod sanitize;
mod sarif;
mod terminal;
mod text;

#[cfg(test)]
mod all_formats_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod sanitize_tests;

pub use diff::{DiffFormat, render_diff};
pub use error::{RenderError, UnknownFormat};
pub use format::{DetailLevel, Format, Render, RenderConfig, render, render_to_string};
pub use progress::{progress_line, retry_line};
