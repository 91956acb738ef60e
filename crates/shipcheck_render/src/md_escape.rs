//! Markdown escaping: table cells, inline text, code spans and fences that text cannot break.

/// Escapes text for a Markdown table cell: Markdown punctuation that could start markup,
/// `|`, and newlines (as `<br>`).
pub(crate) fn cell(s: &str) -> String {
    escape(s, "<br>")
}

/// Escapes text for a paragraph or list item; newlines become spaces.
pub(crate) fn text(s: &str) -> String {
    escape(s, " ")
}

fn escape(s: &str, newline: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str(newline),
            '\\' | '*' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Longest run of `ch` in `s`.
fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// An inline code span that `s` cannot close early. Inside a table (`in_table`), `|` is
/// escaped as GFM requires; newlines become `↵` either way.
pub(crate) fn code(s: &str, in_table: bool) -> String {
    let mut body = s.replace("\r\n", "↵").replace(['\n', '\r'], "↵");
    if in_table {
        body = body.replace('|', "\\|");
    }
    if body.is_empty() {
        return "` `".to_owned();
    }
    let ticks = "`".repeat(longest_run(&body, '`') + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{body}{pad}{ticks}")
}

/// A fenced code block that `s` cannot break out of: the fence is longer than any run of
/// backticks in `s`.
pub(crate) fn fenced(s: &str, info: &str) -> String {
    let fence = "`".repeat(longest_run(s, '`').max(2) + 1);
    let body = s.trim_end_matches('\n');
    format!("{fence}{info}\n{body}\n{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a | b\nc"), "a \\| b<br>c");
        assert_eq!(cell("<script>*x*"), "\\<script\\>\\*x\\*");
        assert_eq!(text("one\r\ntwo"), "one two");
    }

    #[test]
    fn code_spans_outlast_backticks() {
        assert_eq!(code("200", true), "`200`");
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`x`", false), "`` `x` ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("", true), "` `");
    }

    #[test]
    fn fences_outlast_backticks() {
        assert_eq!(fenced("plain", "text"), "```text\nplain\n```\n");
        assert_eq!(
            fenced("```\nx\n```", "text"),
            "````text\n```\nx\n```\n````\n"
        );
        assert_eq!(fenced("`````", ""), "``````\n`````\n``````\n");
    }
}
