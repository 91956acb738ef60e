//! The format selector, render configuration, the [`Render`] trait and the entry points.

use std::str::FromStr;

use shipcheck_report::Report;

use crate::error::{RenderError, UnknownFormat};
use crate::github::GithubRenderer;
use crate::gitlab::GitlabRenderer;
use crate::html::HtmlRenderer;
use crate::json::JsonRenderer;
use crate::junit::JunitRenderer;
use crate::markdown::MarkdownRenderer;
use crate::sarif::SarifRenderer;
use crate::terminal::TerminalRenderer;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Human-readable text for a terminal: results table, failures, verdict.
    Terminal,
    /// The Markdown report teams write by hand (`report.md`).
    Markdown,
    /// One self-contained HTML page with charts (`report.html`).
    Html,
    /// The report model itself (`report.json`).
    Json,
    /// JUnit XML for CI systems (`junit.xml`): checks and findings, one encoding.
    Junit,
    /// SARIF 2.1.0 for code-scanning UIs: the findings, with rule help.
    Sarif,
    /// GitHub Actions workflow commands: annotations for findings and failed checks.
    Github,
    /// GitLab Code Quality JSON: the findings.
    Gitlab,
}

impl Format {
    /// The canonical name: `terminal`, `markdown`, `json`, `junit`, `sarif`, `github`,
    /// `gitlab`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
        }
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "terminal" => Ok(Format::Terminal),
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            "gitlab" => Ok(Format::Gitlab),
            _ => Err(UnknownFormat {
                given: s.to_owned(),
            }),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to render. The caller decides colour (TTY, `NO_COLOR`); renderers read nothing else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderConfig {
    /// Emit ANSI colour codes (terminal output and progress lines only).
    pub color: bool,
    /// Show details of passed checks too (terminal output only).
    pub verbose: bool,
    /// Plain ASCII only (table borders and status marks), for output that is not a
    /// terminal: logs, files, pipes (terminal output only).
    pub ascii: bool,
    /// Fit the results table into this many columns (the terminal's width), wrapping the
    /// notes column; `None` leaves the table its natural width (terminal output only).
    pub width: Option<u16>,
    /// Which checks get a details section (Markdown and HTML).
    pub details: DetailLevel,
}

/// Which checks' details the Markdown and HTML reports show (`--details`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DetailLevel {
    /// Only checks that did not pass (the default: a healthy run stays short).
    #[default]
    Failed,
    /// Every check; passed ones collapsed.
    All,
    /// None: summary, results, issues, performance and verdict only.
    None,
}

impl FromStr for DetailLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "failed" => Ok(Self::Failed),
            "all" => Ok(Self::All),
            "none" => Ok(Self::None),
            _ => Err(format!(
                "unknown details level `{s}` (use all, failed or none)"
            )),
        }
    }
}

/// A renderer: a pure function of the report and the config, writing to `out`.
pub trait Render {
    /// Writes `report` to `out`.
    fn render(
        &self,
        report: &Report,
        cfg: &RenderConfig,
        out: &mut dyn std::io::Write,
    ) -> Result<(), RenderError>;
}

/// Renders `report` in `format` to `out`.
pub fn render(
    format: Format,
    report: &Report,
    cfg: &RenderConfig,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    let renderer: &dyn Render = match format {
        Format::Terminal => &TerminalRenderer,
        Format::Markdown => &MarkdownRenderer,
        Format::Html => &HtmlRenderer,
        Format::Json => &JsonRenderer,
        Format::Junit => &JunitRenderer,
        Format::Sarif => &SarifRenderer,
        Format::Github => &GithubRenderer,
        Format::Gitlab => &GitlabRenderer,
    };
    renderer.render(report, cfg, out)
}

/// Renders `report` in `format` into a string.
pub fn render_to_string(
    format: Format,
    report: &Report,
    cfg: &RenderConfig,
) -> Result<String, RenderError> {
    let mut buf = Vec::new();
    render(format, report, cfg, &mut buf)?;
    String::from_utf8(buf).map_err(RenderError::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse() {
        for (name, want) in [
            ("terminal", Format::Terminal),
            ("md", Format::Markdown),
            ("markdown", Format::Markdown),
            ("html", Format::Html),
            ("Markdown", Format::Markdown),
            ("json", Format::Json),
            ("junit", Format::Junit),
            ("sarif", Format::Sarif),
            ("github", Format::Github),
            ("gitlab", Format::Gitlab),
        ] {
            assert_eq!(name.parse::<Format>(), Ok(want), "{name}");
        }
        let err = "pdf".parse::<Format>().unwrap_err();
        assert_eq!(err.given, "pdf");
        assert!(err.to_string().contains("`pdf`"), "{err}");
    }

    #[test]
    fn canonical_names_round_trip() {
        for f in [
            Format::Terminal,
            Format::Markdown,
            Format::Html,
            Format::Json,
            Format::Junit,
            Format::Sarif,
            Format::Github,
            Format::Gitlab,
        ] {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
    }
}
