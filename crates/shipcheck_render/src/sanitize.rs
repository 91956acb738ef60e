//! Per-format sanitising: text from servers, plans and scanned files may hold control
//! characters (ESC, BEL, NUL…) and XML non-characters. Markdown, the terminal and JUnit
//! XML render a copy of the report whose every string shows them visibly instead.

use std::borrow::Cow;

use serde_json::Value;
use shipcheck_report::Report;

/// Makes control characters visible (`␛` for ESC, `␀` for NUL…) and replaces the XML
/// non-characters U+FFFE/U+FFFF; newlines and tabs are kept, CRLF becomes LF.
pub(crate) fn visible_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// Whether `s` needs [`visible_text`].
fn needs_cleaning(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    })
}

/// The report with every string (keys included) passed through [`visible_text`]; borrowed
/// unchanged when nothing needs cleaning. `None` when the report cannot take the trip
/// through its JSON form (a NaN number); the caller then cleans its rendered text instead
/// (see [`clean_output`]).
pub(crate) fn visible_report(report: &Report) -> Option<Cow<'_, Report>> {
    let mut value = serde_json::to_value(report).ok()?;
    if !clean_value(&mut value) {
        return Some(Cow::Borrowed(report));
    }
    serde_json::from_value(value).ok().map(Cow::Owned)
}

/// Renders `report` through `render` with every string made visible: through
/// [`visible_report`] when possible, else by cleaning the rendered text (colour is then
/// dropped, since its escape codes would be cleaned too).
pub(crate) fn render_visible(
    report: &Report,
    color: bool,
    render: impl Fn(&Report, bool) -> String,
) -> String {
    match visible_report(report) {
        Some(clean) => render(&clean, color),
        None => clean_output(&render(report, false)),
    }
}

/// Cleans already rendered text that holds no intended control characters.
pub(crate) fn clean_output(text: &str) -> String {
    visible_text(text)
}

/// Cleans every string in `v`; returns whether anything changed.
fn clean_value(v: &mut Value) -> bool {
    match v {
        Value::String(s) if needs_cleaning(s) => {
            *s = visible_text(s);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |acc, i| clean_value(i) | acc),
        Value::Object(map) => {
            let mut changed = false;
            if map.keys().any(|k| needs_cleaning(k)) {
                let old = std::mem::take(map);
                for (k, v) in old {
                    map.insert(visible_text(&k), v);
                }
                changed = true;
            }
            map.values_mut()
                .fold(changed, |acc, i| clean_value(i) | acc)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_non_characters_become_visible() {
        assert_eq!(
            visible_text("a\x1b[1m\x07\0\r\nb\u{fffe}\u{ffff}\u{9b}\t"),
            "a\u{241b}[1m\u{2407}\u{2400}\nb\u{fffd}\u{fffd}\u{fffd}\t"
        );
    }
}
