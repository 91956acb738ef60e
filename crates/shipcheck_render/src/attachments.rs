//! Files kept beside the report (a browser check's screenshot). The HTML report embeds an
//! image as a `data:` URI when the report carries its bytes and they are at most
//! [`EMBED_CAP`] (so `report.html` stays one self-contained file; a fresh run's report
//! carries them, a saved `report.json` does not), and links the file beside it; Markdown links the file. Only paths under `attachments/` are linked.

use std::fmt::Write as _;

use shipcheck_report::{Attachment, Report};

use crate::html::esc;
use crate::md_escape::{code, text};

/// The largest image embedded in the HTML report, in bytes.
pub(crate) const EMBED_CAP: u64 = 2 * 1024 * 1024;

fn listed(report: &Report) -> Vec<(&str, &Attachment)> {
    report
        .checks
        .iter()
        .flat_map(|c| c.attachments.iter().map(move |a| (c.id.as_str(), a)))
        .filter(|(_, a)| a.is_image() && a.has_safe_path())
        .collect()
}

/// `data:` URI of `a`, when it carries base64 bytes of at most [`EMBED_CAP`].
fn data_uri(a: &Attachment) -> Option<String> {
    let data = a.data_base64.as_deref()?;
    let clean = data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    (clean && a.bytes <= EMBED_CAP).then(|| format!("data:{};base64,{data}", a.media_type))
}

/// `<h2>Screenshots</h2>` with one figure per image attachment.
pub(crate) fn html(s: &mut String, report: &Report) {
    let items = listed(report);
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "<h2 id=\"screenshots\">Screenshots</h2>");
    for (id, a) in items {
        let link = format!("<a href=\"{}\">{}</a>", esc(&a.path), esc(&a.path));
        // The page's policy allows `data:` images only: a file beside it is linked.
        let img = match data_uri(a) {
            Some(src) => format!(
                "<img class=\"shot\" src=\"{}\" alt=\"{} of {}\">",
                esc(&src),
                esc(&a.label),
                esc(id)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "<figure>{img}<figcaption><code>{}</code> — {} ({link}, {} bytes)</figcaption></figure>",
            esc(id),
            esc(&a.label),
            a.bytes
        );
    }
}

/// `## Screenshots` with a linked image per attachment.
pub(crate) fn markdown(s: &mut String, report: &Report) {
    let items = listed(report);
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "## Screenshots\n");
    for (id, a) in items {
        // `has_safe_path` keeps the path to characters that need no escaping in a link.
        let _ = writeln!(
            s,
            "- {} — {}: [![{}]({})]({})\n",
            code(id, false),
            text(&a.label),
            text(&a.label),
            a.path,
            a.path
        );
    }
}

#[cfg(test)]
mod tests {
    use shipcheck_report::Attachment;

    use crate::{Format, RenderConfig, fixtures, render_to_string};

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n-not-really-a-png";

    fn with_shot(path: &str) -> shipcheck_report::Report {
        let mut report = fixtures::mixed();
        let mut a = Attachment::new("screenshot", "image/png", PNG);
        a.path = path.into();
        report.checks[0].attachments.push(a);
        report
    }

    #[test]
    fn html_embeds_the_image_and_links_the_file_markdown_links_it_json_leaves_it_out() {
        let report = with_shot("attachments/c-1.png");
        let cfg = RenderConfig::default();
        let html = render_to_string(Format::Html, &report, &cfg).unwrap();
        assert!(
            html.contains("<img class=\"shot\" src=\"data:image/png;base64,iVBORw0KGgo"),
            "{html}"
        );
        assert!(html.contains("<a href=\"attachments/c-1.png\">"));
        let md = render_to_string(Format::Markdown, &report, &cfg).unwrap();
        assert!(
            md.contains("[![screenshot](attachments/c-1.png)](attachments/c-1.png)"),
            "{md}"
        );
        let json = render_to_string(Format::Json, &report, &cfg).unwrap();
        assert!(
            json.contains("\"path\": \"attachments/c-1.png\"") && !json.contains("data_base64")
        );
        // Re-rendered from report.json (no bytes): the file is linked, not embedded.
        let saved: shipcheck_report::Report = serde_json::from_str(&json).unwrap();
        let html = render_to_string(Format::Html, &saved, &cfg).unwrap();
        assert!(!html.contains("data:image/png") && html.contains("attachments/c-1.png"));
    }

    #[test]
    fn a_path_outside_attachments_is_never_linked() {
        for path in [
            "../../etc/passwd",
            "javascript:alert(1)",
            "attachments/../x.png",
            "/abs.png",
        ] {
            let report = with_shot(path);
            let cfg = RenderConfig::default();
            let html = render_to_string(Format::Html, &report, &cfg).unwrap();
            let md = render_to_string(Format::Markdown, &report, &cfg).unwrap();
            assert!(
                !html.contains("Screenshots") && !md.contains("Screenshots"),
                "{path}"
            );
        }
    }
}
