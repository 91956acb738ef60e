//! The `exec:` plan key: a local command as an argument list, or a shell line.

use std::path::{Path, PathBuf};

use shipcheck_plan::syntax::{Ctx, Kind, Node, get, pairs, resolve};

/// Default and largest `max_output` (per stream).
const DEFAULT_MAX_OUTPUT: u64 = 1024 * 1024;
const MAX_MAX_OUTPUT: u64 = 64 * 1024 * 1024;

/// Keys of the long form.
const KEYS: &[&str] = &["command", "shell", "dir", "env", "stdin", "max_output"];

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A program and its arguments (templates), run without a shell.
    Argv(Vec<String>),
    /// A line run by `sh -c` (template).
    Shell(String),
}

/// A parsed `exec:` check.
#[derive(Debug, Clone)]
pub struct ExecProbe {
    /// The command.
    pub command: Command,
    /// Working directory (default: the plan's directory).
    pub dir: PathBuf,
    /// Extra environment variables (value templates), in file order.
    pub env: Vec<(String, String)>,
    /// Text written to the command's standard input (template).
    pub stdin: Option<String>,
    /// Keep at most this many bytes of stdout and of stderr.
    pub max_output: u64,
    /// Keep the *last* `max_output` bytes of stdout instead of the first (not a plan
    /// key: the `logs` kind reads a command's output from the end).
    pub keep_tail: bool,
}

/// `exec: [PROGRAM, ARG…]`, `exec: "shell line"`, or
/// `exec: { command: [..] | shell: "..", dir, env, stdin, max_output }`.
pub(crate) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<ExecProbe> {
    let entries: &[(Node, Node)] = match &n.kind {
        Kind::Map(entries) => {
            ctx.keys(entries, KEYS, "an exec check");
            entries
        }
        _ => &[],
    };
    let command = match &n.kind {
        Kind::Seq(_) => Command::Argv(argv(ctx, n)?),
        Kind::Map(_) => match (get(entries, "command"), get(entries, "shell")) {
            (Some(c), None) => Command::Argv(argv(ctx, c)?),
            (None, Some(s)) => Command::Shell(ctx.template(s, "shell")?),
            (Some(_), Some(s)) => {
                ctx.error(
                    s.span,
                    "an exec check runs either `command` or `shell`",
                    "keep one",
                );
                return None;
            }
            (None, None) => {
                ctx.error_help(
                    n.span,
                    "the exec check has nothing to run",
                    "no `command:` or `shell:`",
                    "write `command: [PROGRAM, ARG…]` or `shell: \"…\"`",
                );
                return None;
            }
        },
        _ => Command::Shell(ctx.template(n, "exec")?),
    };
    let dir = match get(entries, "dir") {
        Some(d) => resolve(base_dir, &ctx.text(d, "dir")?),
        None => base_dir.to_path_buf(),
    };
    let env = get(entries, "env")
        .map(|e| pairs(ctx, e, "env", false))
        .unwrap_or_default();
    let stdin = match get(entries, "stdin") {
        Some(s) => Some(ctx.template(s, "stdin")?),
        None => None,
    };
    let max_output = match get(entries, "max_output") {
        Some(v) => ctx.bounded_size(v, "max_output", MAX_MAX_OUTPUT, "64MiB")?,
        None => DEFAULT_MAX_OUTPUT,
    };
    Some(ExecProbe {
        command,
        dir,
        env,
        stdin,
        max_output,
        keep_tail: false,
    })
}

/// A non-empty list of templates: the program and its arguments.
fn argv(ctx: &mut Ctx<'_>, n: &Node) -> Option<Vec<String>> {
    let items = ctx.seq(n, "command")?;
    if items.is_empty() {
        ctx.error(n.span, "the command is empty", "name a program to run");
        return None;
    }
    let argv: Vec<String> = items
        .iter()
        .filter_map(|i| ctx.template(i, "command"))
        .collect();
    (argv.len() == items.len()).then_some(argv)
}
