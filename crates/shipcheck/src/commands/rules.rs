//! `shipcheck rules`: list the lint rules, or explain one with its examples.

use std::io::{self, Write as _};

use shipcheck_lint::{Rule, rule_markdown, summary};

use crate::exit;

/// Arguments of `shipcheck rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// A rule ID to explain (e.g. `k8s/privileged-container`).
    pub(crate) id: Option<String>,
}

/// Runs `shipcheck rules`.
pub(crate) fn run(args: RulesArgs) -> anyhow::Result<i32> {
    let mut out = io::stdout().lock();
    let res = match &args.id {
        Some(id) => match Rule::from_code(id) {
            Some(rule) => write!(out, "{}", rule_markdown(rule)),
            None => {
                eprintln!("error: unknown rule `{id}` (run `shipcheck rules` for the list)");
                return Ok(exit::USAGE);
            }
        },
        None => list(&mut out),
    };
    match res {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(exit::OK),
        other => {
            other?;
            Ok(exit::OK)
        }
    }
}

fn list(out: &mut dyn io::Write) -> io::Result<()> {
    let width = Rule::ALL.iter().map(|r| r.code().len()).max().unwrap_or(0);
    for r in Rule::ALL {
        let default = if r.default_enabled() {
            ""
        } else {
            " (off by default)"
        };
        writeln!(
            out,
            "{:width$}  {:7}  {}{default}",
            r.code(),
            r.default_severity().as_str(),
            summary(*r)
        )?;
    }
    writeln!(
        out,
        "\n{} rules; `shipcheck rules <ID>` explains one.",
        Rule::ALL.len()
    )
}
