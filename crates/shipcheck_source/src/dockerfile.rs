//! Dockerfile parser: parser directives (`syntax`, `escape`, `check`), continuations,
//! comments inside continuations, heredocs, flags, and exec vs shell form.

use crate::text::{SourceFile, TextRange};

/// Instructions BuildKit knows.
pub(crate) const INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Parser directives at the top of the file.
    pub directives: Vec<Directive>,
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
    /// Syntax problems (unknown instruction, unterminated heredoc…).
    pub errors: Vec<DockerfileError>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase name.
    pub name: String,
    /// Value as written.
    pub value: String,
    /// The directive's line.
    pub range: TextRange,
}

/// A syntax problem with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerfileError {
    /// Lowercase description.
    pub message: String,
    /// Where it is.
    pub range: TextRange,
}

/// The form of a command instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `CMD ["a", "b"]` (JSON array).
    Exec(Vec<String>),
    /// `CMD a b` (run through the shell).
    Shell,
}

/// A `--name=value` flag of `FROM`, `RUN`, `COPY`, `ADD`, `HEALTHCHECK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without dashes.
    pub name: String,
    /// Value after `=`, if any.
    pub value: Option<String>,
    /// Where the flag is written.
    pub range: TextRange,
}

/// A heredoc attached to an instruction (`RUN <<EOF … EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word.
    pub delimiter: String,
    /// The body (lines between the instruction and the delimiter).
    pub body: String,
    /// The body's range.
    pub range: TextRange,
}

/// One instruction, with continuations joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Uppercase keyword (`RUN`).
    pub keyword: String,
    /// Where the keyword is written.
    pub keyword_range: TextRange,
    /// The whole instruction including continuation lines and heredocs.
    pub range: TextRange,
    /// Arguments after the flags, continuations joined, comment lines removed, trimmed.
    pub args: String,
    /// Range from the first argument to the end of the logical line.
    pub args_range: TextRange,
    /// Leading `--flags`.
    pub flags: Vec<Flag>,
    /// Exec or shell form (meaningful for RUN, CMD, ENTRYPOINT, SHELL, and HEALTHCHECK CMD).
    pub form: Form,
    /// Heredocs, in order.
    pub heredocs: Vec<Heredoc>,
    /// 0-based build stage (`FROM` count − 1); `None` before the first `FROM`.
    pub stage: Option<usize>,
}

impl Instruction {
    /// True when this is keyword `kw` (uppercase).
    pub fn is(&self, kw: &str) -> bool {
        self.keyword == kw
    }

    /// The value of flag `name`, if given.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }
}

struct Line<'a> {
    text: &'a str,
    start: usize,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for l in text.split_inclusive('\n') {
        let body = l.trim_end_matches(['\n', '\r']);
        out.push(Line { text: body, start });
        start += l.len();
    }
    out
}

/// Parses a Dockerfile.
pub fn parse_dockerfile(file: &SourceFile) -> Dockerfile {
    let text = file.text.as_str();
    let lines = lines(text);
    let mut df = Dockerfile {
        escape: '\\',
        directives: Vec::new(),
        instructions: Vec::new(),
        errors: Vec::new(),
    };
    let mut i = 0;
    // Parser directives: only at the very top, before any blank line, comment or instruction.
    while let Some(line) = lines.get(i) {
        let Some((name, value)) = parse_directive(line.text) else {
            break;
        };
        if name == "escape" {
            match value.as_str() {
                "\\" => df.escape = '\\',
                "`" => df.escape = '`',
                _ => df.errors.push(DockerfileError {
                    message: format!("invalid escape character `{value}` (use `\\` or a backtick)"),
                    range: TextRange::from_usize(line.start, line.start + line.text.len()),
                }),
            }
        }
        df.directives.push(Directive {
            name,
            value,
            range: TextRange::from_usize(line.start, line.start + line.text.len()),
        });
        i += 1;
    }
    let mut stage: Option<usize> = None;
    while i < lines.len() {
        let line = &lines[i];
        let trimmed = line.text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let lead = line.text.len() - trimmed.len();
        let kw_len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let keyword = trimmed[..kw_len].to_ascii_uppercase();
        let kw_start = line.start + lead;
        let keyword_range = TextRange::from_usize(kw_start, kw_start + kw_len);
        // Join continuation lines.
        let mut logical = String::new();
        let mut args_start = None;
        let mut cur = trimmed[kw_len..].to_owned();
        let mut cur_start = kw_start + kw_len;
        let mut end = line.start + line.text.len();
        loop {
            if args_start.is_none() {
                let ws = cur.len() - cur.trim_start().len();
                if ws < cur.len() {
                    args_start = Some(cur_start + ws);
                }
            }
            let t = cur.trim_end();
            if let Some(stripped) = t.strip_suffix(df.escape) {
                logical.push_str(stripped);
                i += 1;
                // Skip comment lines (and blank lines) inside the continuation.
                while let Some(next) = lines.get(i) {
                    let nt = next.text.trim_start();
                    if nt.starts_with('#') || nt.is_empty() {
                        i += 1;
                    } else {
                        break;
                    }
                }
                let Some(next) = lines.get(i) else { break };
                cur = next.text.to_owned();
                cur_start = next.start;
                end = next.start + next.text.len();
            } else {
                logical.push_str(&cur);
                i += 1;
                break;
            }
        }
        let args_start = args_start.unwrap_or(end);
        let (flags, rest_offset) = parse_flags(&logical, args_start);
        let args = logical[rest_offset..].trim().to_owned();
        let form = exec_form(&keyword, &args);
        // Heredocs.
        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (strip_tabs, delim) in heredoc_markers(&args) {
                let body_start = lines.get(i).map_or(text.len(), |l| l.start);
                let mut body = String::new();
                let mut found = false;
                while let Some(l) = lines.get(i) {
                    i += 1;
                    let cmp = if strip_tabs {
                        l.text.trim_start_matches('\t')
                    } else {
                        l.text
                    };
                    if cmp == delim {
                        end = l.start + l.text.len();
                        found = true;
                        break;
                    }
                    body.push_str(cmp);
                    body.push('\n');
                    end = l.start + l.text.len();
                }
                if !found {
                    df.errors.push(DockerfileError {
                        message: format!("heredoc `{delim}` is not terminated"),
                        range: keyword_range,
                    });
                }
                let body_end = body_start + body.len().min(text.len().saturating_sub(body_start));
                heredocs.push(Heredoc {
                    delimiter: delim,
                    body,
                    range: TextRange::from_usize(body_start, body_end),
                });
            }
        }
        if !INSTRUCTIONS.contains(&keyword.as_str()) {
            df.errors.push(DockerfileError {
                message: format!("unknown instruction `{}`", &trimmed[..kw_len]),
                range: keyword_range,
            });
            continue;
        }
        if keyword == "FROM" {
            stage = Some(stage.map_or(0, |s| s + 1));
        }
        df.instructions.push(Instruction {
            keyword,
            keyword_range,
            range: TextRange::from_usize(kw_start, end),
            args,
            args_range: TextRange::from_usize(args_start.min(end), end),
            flags,
            form,
            heredocs,
            stage,
        });
    }
    if !df.instructions.is_empty() && !df.instructions.iter().any(|i| i.is("FROM")) {
        df.errors.push(DockerfileError {
            message: "no FROM instruction".into(),
            range: df.instructions[0].keyword_range,
        });
    }
    df.errors.sort_by_key(|e| e.range);
    df
}

fn parse_directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let (name, value) = rest.split_once('=')?;
    let name = name.trim().to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some((name, value.trim().to_owned()))
}

/// Splits leading `--flag[=value]` words off `logical`; returns flags and the offset of the rest.
fn parse_flags(logical: &str, base: usize) -> (Vec<Flag>, usize) {
    let mut flags = Vec::new();
    let lead = logical.len() - logical.trim_start().len();
    let mut pos = lead;
    while logical[pos..].starts_with("--") {
        let word_len = logical[pos..]
            .find(char::is_whitespace)
            .unwrap_or(logical.len() - pos);
        let word = &logical[pos + 2..pos + word_len];
        let (name, value) = match word.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (word.to_owned(), None),
        };
        flags.push(Flag {
            name,
            value,
            range: TextRange::from_usize(base + pos - lead, base + pos - lead + word_len),
        });
        pos += word_len;
        pos += logical[pos..].len() - logical[pos..].trim_start().len();
    }
    (flags, pos)
}

fn exec_form(keyword: &str, args: &str) -> Form {
    let body = if keyword == "HEALTHCHECK" {
        match args.split_once(char::is_whitespace) {
            Some((cmd, rest)) if cmd.eq_ignore_ascii_case("CMD") => rest.trim(),
            _ => return Form::Shell,
        }
    } else {
        args
    };
    if body.starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(body)
    {
        return Form::Exec(items);
    }
    Form::Shell
}

/// Heredoc markers `<<EOF`, `<<-EOF`, `<<"EOF"` in order (not `<<<`).
fn heredoc_markers(args: &str) -> Vec<(bool, String)> {
    let b = args.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'<' && b[i + 1] == b'<' && (i == 0 || b[i - 1] != b'<') && b[i + 2] != b'<' {
            let mut j = i + 2;
            let strip = b.get(j) == Some(&b'-');
            if strip {
                j += 1;
            }
            let quote = matches!(b.get(j), Some(b'"' | b'\''));
            if quote {
                j += 1;
            }
            let s = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > s && (b[s].is_ascii_alphabetic() || b[s] == b'_') {
                out.push((strip, args[s..j].to_owned()));
            }
            i = j.max(i + 2);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{FileId, FileKind};

    fn parse(t: &str) -> (SourceFile, Dockerfile) {
        let f = SourceFile::new(FileId(0), "Dockerfile", t.to_owned(), FileKind::Dockerfile);
        let d = parse_dockerfile(&f);
        (f, d)
    }

    #[test]
    fn continuations_comments_and_forms() {
        let (f, d) = parse(
            "# syntax=docker/dockerfile:1\nFROM alpine:3.20 AS base\nRUN apk add \\\n  # a comment\n  curl\nCMD [\"sh\", \"-c\", \"echo\"]\nENTRYPOINT run.sh\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.directives[0].name, "syntax");
        let run = &d.instructions[1];
        assert_eq!(run.args, "apk add   curl");
        assert_eq!(f.line_col(run.range.end).line, 5);
        assert_eq!(
            d.instructions[2].form,
            Form::Exec(vec!["sh".into(), "-c".into(), "echo".into()])
        );
        assert_eq!(d.instructions[3].form, Form::Shell);
        assert_eq!(f.line_col(d.instructions[3].keyword_range.start).line, 7);
    }

    #[test]
    fn escape_directive_and_flags() {
        let (_, d) = parse(
            "# escape=`\nFROM --platform=linux/amd64 mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nCOPY --chown=1000:1000 a b\n",
        );
        assert_eq!(d.escape, '`');
        assert_eq!(
            d.instructions[0]
                .flag("platform")
                .and_then(|f| f.value.as_deref()),
            Some("linux/amd64")
        );
        assert_eq!(d.instructions[0].args, "mcr.microsoft.com/windows");
        assert_eq!(d.instructions[1].args, "dir   c:\\");
        assert_eq!(
            d.instructions[2]
                .flag("chown")
                .and_then(|f| f.value.as_deref()),
            Some("1000:1000")
        );
    }

    #[test]
    fn heredocs() {
        let (f, d) = parse(
            "FROM debian\nRUN <<EOF\napt-get update\nEOF\nCOPY <<-\"CFG\" /etc/x\n\tkey=1\n\tCFG\nUSER app\n",
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.instructions[1].heredocs[0].body, "apt-get update\n");
        assert_eq!(d.instructions[2].heredocs[0].body, "key=1\n");
        assert_eq!(f.line_col(d.instructions[3].keyword_range.start).line, 8);
    }

    #[test]
    fn errors() {
        let (f, d) = parse("FROM a\nFOO bar\nRUN <<EOF\nx\n");
        assert_eq!(d.errors.len(), 2);
        assert_eq!(f.line_col(d.errors[0].range.start).line, 2);
        let (_, d) = parse("RUN x\n");
        assert_eq!(d.errors[0].message, "no FROM instruction");
    }
}
