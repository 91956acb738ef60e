//! A small, bounded view of the shell in `RUN`: commands split at `;`, `&&`, `||`, `|`,
//! `&` and newlines, words unquoted, plus stage and `ENV`/`ARG` helpers.

use shipcheck_source::dockerfile::{Form, Instruction};
use shipcheck_source::{SourceFile, Span, TextRange};

use crate::nodes::DockerfileFile;

/// One simple command: its words (unquoted), with leading `VAR=value` assignments and
/// `sudo`/`env` wrappers removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    /// Words, the program first.
    pub(crate) words: Vec<String>,
    /// True when the command ran under `sudo`.
    pub(crate) sudo: bool,
    /// True when this command's output is piped into the next one.
    pub(crate) piped: bool,
    /// Leading `VAR=value` assignments.
    pub(crate) assignments: Vec<String>,
}

impl Command {
    /// The program's base name (`/usr/bin/curl` → `curl`).
    pub(crate) fn program(&self) -> &str {
        self.words
            .first()
            .map_or("", |w| w.rsplit('/').next().unwrap_or(w))
    }

    /// True when any argument equals `w`.
    pub(crate) fn has(&self, w: &str) -> bool {
        self.words.iter().skip(1).any(|x| x == w)
    }
}

/// The most characters of a script examined.
const MAX_SCRIPT: usize = 64 * 1024;

/// Splits a shell script into simple commands (quotes respected; bounded).
pub(crate) fn commands(script: &str) -> Vec<Command> {
    let script = script.get(..MAX_SCRIPT.min(script.len())).unwrap_or(script);
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let flush_word = |words: &mut Vec<String>, cur: &mut String, in_word: &mut bool| {
        if *in_word {
            words.push(std::mem::take(cur));
            *in_word = false;
        }
    };
    let finish = |out: &mut Vec<Command>, words: &mut Vec<String>, piped: bool| {
        let mut w = std::mem::take(words);
        let mut sudo = false;
        let mut assignments = Vec::new();
        // Drop assignments and wrappers.
        loop {
            match w.first().map(String::as_str) {
                Some(first) if is_assignment(first) => {
                    assignments.push(w.remove(0));
                }
                Some("sudo") => {
                    sudo = true;
                    w.remove(0);
                    while w.first().is_some_and(|x| x.starts_with('-')) {
                        w.remove(0);
                    }
                }
                Some(
                    "env" | "exec" | "nohup" | "time" | "command" | "then" | "do" | "else" | "if"
                    | "!" | "{" | "(",
                ) => {
                    w.remove(0);
                }
                _ => break,
            }
        }
        if !w.is_empty() {
            out.push(Command {
                words: w,
                sudo,
                piped,
                assignments,
            });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        _ => cur.push(d),
                    }
                }
            }
            '`' => {
                // Command substitution: kept inside the word.
                in_word = true;
                cur.push(c);
                for d in chars.by_ref() {
                    cur.push(d);
                    if d == '`' {
                        break;
                    }
                }
            }
            '$' if chars.peek() == Some(&'(') => {
                // `$( … )`, nested parentheses included, kept inside the word.
                in_word = true;
                cur.push(c);
                let mut depth = 0usize;
                for d in chars.by_ref() {
                    cur.push(d);
                    match d {
                        '(' => depth += 1,
                        ')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(e) => {
                    in_word = true;
                    cur.push(e);
                }
            },
            '#' if !in_word => {
                // Comment to end of line.
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                flush_word(&mut words, &mut cur, &mut in_word);
                finish(&mut out, &mut words, false);
            }
            ' ' | '\t' | '\r' => flush_word(&mut words, &mut cur, &mut in_word),
            ';' | '\n' | ')' | '}' => {
                flush_word(&mut words, &mut cur, &mut in_word);
                finish(&mut out, &mut words, false);
            }
            '&' | '|' => {
                flush_word(&mut words, &mut cur, &mut in_word);
                let double = chars.peek() == Some(&c);
                if double {
                    chars.next();
                }
                finish(&mut out, &mut words, c == '|' && !double);
            }
            '(' if !in_word => {
                flush_word(&mut words, &mut cur, &mut in_word);
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    flush_word(&mut words, &mut cur, &mut in_word);
    finish(&mut out, &mut words, false);
    out
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The script a `RUN` executes: the shell-form text or the exec-form words, and heredocs.
pub(crate) fn run_script(ins: &Instruction) -> String {
    let mut s = match &ins.form {
        Form::Exec(words) => {
            // `["sh", "-c", "script"]` runs the script; otherwise the words are one command.
            if words.len() >= 3 && words[1] == "-c" {
                words[2..].join(" ")
            } else {
                words
                    .iter()
                    .map(|w| format!("'{}'", w.replace('\'', "")))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        }
        Form::Shell => ins.args.clone(),
    };
    for h in &ins.heredocs {
        s.push('\n');
        s.push_str(&h.body);
    }
    s
}

/// The span of the first occurrence of `needle` inside the instruction, or its keyword.
pub(crate) fn find_in(file: &SourceFile, ins: &Instruction, needle: &str) -> Span {
    let text = file.slice(ins.range);
    match (!needle.is_empty()).then(|| text.find(needle)).flatten() {
        Some(i) => {
            let start = ins.range.start as usize + i;
            file.span(TextRange::from_usize(start, start + needle.len()))
        }
        None => file.span(ins.keyword_range),
    }
}

/// The span of the instruction's first line (keyword to end of that line).
pub(crate) fn first_line(file: &SourceFile, ins: &Instruction) -> Span {
    let line = file.line_col(ins.range.start).line;
    let lr = file.lines.line_range(&file.text, line);
    file.span(TextRange::new(ins.range.start, lr.end.max(ins.range.start)))
}

/// `KEY=value` pairs of an `ENV` or `ARG` (also the legacy `ENV KEY value` form); `ARG`
/// without a default yields an empty value.
pub(crate) fn key_values(ins: &Instruction) -> Vec<(String, Option<String>)> {
    let raw = split_words(&ins.args);
    if raw.first().is_some_and(|w| w.contains('=')) {
        raw.into_iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (w, None),
            })
            .collect()
    } else {
        let mut it = raw.into_iter();
        match it.next() {
            Some(k) => {
                let rest: Vec<String> = it.collect();
                let v = (!rest.is_empty()).then(|| rest.join(" "));
                vec![(k, v)]
            }
            None => Vec::new(),
        }
    }
}

/// The sources of an `ADD`/`COPY` (every argument but the destination; exec form too).
pub(crate) fn add_sources(ins: &Instruction) -> Vec<String> {
    let args = ins.args.trim();
    let mut words = if args.starts_with('[') {
        args.trim_matches(['[', ']'])
            .split(',')
            .map(|w| w.trim().trim_matches('"').to_owned())
            .filter(|w| !w.is_empty())
            .collect()
    } else {
        split_words(args)
    };
    words.pop();
    words
}

/// Splits words with shell quoting (no separators).
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                    cur.push(d);
                }
            }
            '\\' => {
                if let Some(e) = chars.next()
                    && e != '\n'
                {
                    in_word = true;
                    cur.push(e);
                }
            }
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// One build stage: its `FROM`, name, and instructions.
pub(crate) struct Stage<'a> {
    /// The `FROM` instruction.
    pub(crate) from: &'a Instruction,
    /// The base image (first word of `FROM`).
    pub(crate) image: String,
    /// `AS name`, lowercased.
    pub(crate) name: Option<String>,
    /// Instructions after `FROM`.
    pub(crate) body: Vec<&'a Instruction>,
}

/// The build stages, in order.
pub(crate) fn stages<'a>(df: &DockerfileFile<'a>) -> Vec<Stage<'a>> {
    let mut out: Vec<Stage<'a>> = Vec::new();
    for ins in &df.dockerfile.instructions {
        if ins.is("FROM") {
            let words = split_words(&ins.args);
            let image = words.first().cloned().unwrap_or_default();
            let name = match words.as_slice() {
                [_, kw, n, ..] if kw.eq_ignore_ascii_case("as") => Some(n.to_ascii_lowercase()),
                _ => None,
            };
            out.push(Stage {
                from: ins,
                image,
                name,
                body: Vec::new(),
            });
        } else if let Some(s) = out.last_mut() {
            s.body.push(ins);
        }
    }
    out
}

/// The effective user of stage `i` (its last `USER`, else that of the stage it builds
/// on); `None` when no `USER` applies (the base image's user, usually root).
pub(crate) fn effective_user<'a>(stages: &[Stage<'a>], i: usize) -> Option<&'a Instruction> {
    let mut i = i;
    for _ in 0..stages.len() {
        let s = stages.get(i)?;
        if let Some(u) = s.body.iter().rev().find(|x| x.is("USER")) {
            return Some(u);
        }
        let base = s.image.to_ascii_lowercase();
        i = stages[..i]
            .iter()
            .rposition(|p| p.name.as_deref() == Some(base.as_str()))?;
    }
    None
}

/// True for `root`, `0`, `root:…`, `0:…`.
pub(crate) fn is_root_user(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or(user).trim();
    u == "root" || u == "0"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progs(s: &str) -> Vec<String> {
        commands(s).iter().map(|c| c.program().to_owned()).collect()
    }

    #[test]
    fn splits_commands() {
        assert_eq!(
            progs("apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*"),
            ["apt-get", "apt-get", "rm"]
        );
        assert_eq!(
            progs("FOO=1 sudo -E pip install x | tee log"),
            ["pip", "tee"]
        );
        let c = commands("curl -s https://x | sh");
        assert!(c[0].piped && !c[1].piped);
        assert!(!commands("a || b")[0].piped);
        assert_eq!(commands("echo \"a | b\"").len(), 1);
        assert_eq!(commands("grep /etc/passwd -k 'lol'")[0].words[3], "lol");
        assert_eq!(progs("cd `ls | grep x` && make"), ["cd", "make"]);
        assert_eq!(progs("V=$(curl -s x | jq .v) && echo $V"), ["echo"]);
        assert!(!commands("cd $(ls | head -1)")[0].piped);
    }

    #[test]
    fn env_pairs() {
        let split = |s: &str| {
            let mut out = Vec::new();
            let raw = split_words(s);
            if raw.first().is_some_and(|w| w.contains('=')) {
                for w in raw {
                    out.push(w);
                }
            }
            out
        };
        assert_eq!(split("A=1 B=\"two words\""), ["A=1", "B=two words"]);
        assert!(is_root_user("root:root") && is_root_user("0") && !is_root_user("app"));
    }
}
