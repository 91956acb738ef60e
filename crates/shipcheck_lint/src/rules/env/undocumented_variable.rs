use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::EnvFileNode;
use crate::rule::{Family, Violation, violation};

violation! {
    /// ## What it does
    /// Checks `.env` templates (`.env.example`, `.env.sample`, `.env.template`) for
    /// variables without a comment: none on the line, and none heading the section it
    /// belongs to (consecutive variables, possibly split by single blank lines; two blank
    /// lines end a section).
    ///
    /// ## Why is this bad?
    /// The template is the documentation of the service's configuration. Whoever fills it
    /// in for production has to guess what `WORKER_CONCURRENCY` does, which values are
    /// safe, and whether it may stay empty.
    ///
    /// ## Example
    /// ```sh
    /// WORKER_CONCURRENCY=4
    /// ```
    ///
    /// Use instead:
    /// ```sh
    /// # Jobs processed in parallel per worker; keep ≤ CPU count.
    /// WORKER_CONCURRENCY=4
    /// ```
    pub(crate) struct EnvUndocumentedVariable {
        pub(crate) key: String,
    }
}

impl Violation for EnvUndocumentedVariable {
    const FAMILY: Family = Family::Env;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        format!("`{}` has no comment describing it", self.key)
    }

    fn fix_title(&self) -> Option<String> {
        Some("add a comment above the variable or its group".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, env: &EnvFileNode<'_>) {
    if !env.template {
        return;
    }
    let lines: Vec<&str> = env.file.text.lines().collect();
    for e in &env.env.entries {
        if e.inline_comment.is_some() || e.comment_above {
            continue;
        }
        // Walk up through the block of consecutive lines to find a heading comment.
        let mut i = e.line.saturating_sub(1) as usize; // 0-based index of the entry line
        let mut documented = false;
        let mut blank_run = 0;
        for _ in 0..200 {
            if i == 0 {
                break;
            }
            i -= 1;
            let l = lines.get(i).map_or("", |l| l.trim());
            if l.is_empty() {
                // One blank line separates groups of a section; two end the section.
                blank_run += 1;
                if blank_run >= 2 {
                    break;
                }
                continue;
            }
            blank_run = 0;
            if l.starts_with('#') {
                documented = true;
                break;
            }
        }
        if !documented {
            ctx.report(
                EnvUndocumentedVariable { key: e.key.clone() },
                env.file.span(e.key_range),
            );
        }
    }
}
