//! JSON: the report model itself, pretty-printed (`report.json`).

use std::io::Write;

use shipcheck_report::Report;

use crate::error::RenderError;
use crate::format::{Render, RenderConfig};

/// Writes the report model as pretty JSON followed by a newline.
pub(crate) struct JsonRenderer;

impl Render for JsonRenderer {
    fn render(
        &self,
        report: &Report,
        _cfg: &RenderConfig,
        out: &mut dyn Write,
    ) -> Result<(), RenderError> {
        // Attachment bytes are files beside report.json, not in it.
        let carries = report
            .checks
            .iter()
            .any(|c| c.attachments.iter().any(|a| a.data_base64.is_some()));
        if carries {
            serde_json::to_writer_pretty(&mut *out, &report.without_attachment_data())
        } else {
            serde_json::to_writer_pretty(&mut *out, report)
        }
        .map_err(RenderError::Json)?;
        out.write_all(b"\n").map_err(RenderError::write("json"))
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures;
    use crate::{Format, RenderConfig, render_to_string};

    #[test]
    fn round_trips_to_an_equal_report() {
        for report in [
            fixtures::mixed(),
            fixtures::all_passed(),
            fixtures::lint_run(),
        ] {
            let text = render_to_string(Format::Json, &report, &RenderConfig::default()).unwrap();
            assert!(text.ends_with("}\n"));
            let back: shipcheck_report::Report = serde_json::from_str(&text).unwrap();
            assert_eq!(back, report);
        }
    }

    #[test]
    fn has_the_documented_top_level_keys() {
        let text =
            render_to_string(Format::Json, &fixtures::mixed(), &RenderConfig::default()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for key in [
            "run", "verdict", "coverage", "summary", "checks", "findings",
        ] {
            assert!(v.get(key).is_some(), "missing top-level `{key}`");
        }
        let checks = v["checks"].as_array().unwrap();
        assert!(
            checks
                .iter()
                .all(|c| c["id"].is_string() && c["status"].is_string())
        );
    }

    #[test]
    fn snapshot_mixed() {
        let text =
            render_to_string(Format::Json, &fixtures::mixed(), &RenderConfig::default()).unwrap();
        insta::assert_snapshot!(text);
    }
}
