use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use shipcheck_report::Severity;
use shipcheck_source::TextRange;

use crate::context::LintContext;
use crate::nodes::Workspace;
use crate::rule::{Family, Violation, violation};

static VARIABLE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}|\$([A-Za-z_][A-Za-z0-9_]*)")
        .ok()
});

violation! {
    /// ## What it does
    /// When a compose file and the `.env` template beside it (`.env.example`,
    /// `.env.sample`, `.env.template` in the same directory) are linted together, checks
    /// every `${VAR}`, `${VAR:?…}` and `$VAR` the compose file interpolates without a
    /// default, and reports the variables the template does not define. `${VAR:-default}`
    /// and `$$` are skipped.
    ///
    /// ## Why is this bad?
    /// Whoever sets up a new environment copies the template. A variable missing from it
    /// is interpolated as an empty string (with only a warning), so the service starts
    /// with an empty password, URL or image tag.
    ///
    /// ## Example
    /// ```yaml
    /// # .env.example defines DB_USER only
    /// services:
    ///   db:
    ///     environment:
    ///       POSTGRES_PASSWORD: ${DB_PASSWORD:?}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # .env.example defines DB_USER and DB_PASSWORD
    /// services:
    ///   db:
    ///     environment:
    ///       POSTGRES_PASSWORD: ${DB_PASSWORD:?}
    /// ```
    pub(crate) struct ComposeVariableUndefined {
        pub(crate) variable: String,
        pub(crate) template: String,
    }
}

impl Violation for ComposeVariableUndefined {
    const FAMILY: Family = Family::Cross;
    const DEFAULT_SEVERITY: Severity = Severity::Warning;

    fn message(&self) -> String {
        format!(
            "`{}` is used here but not defined in `{}`",
            self.variable, self.template
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some("add the variable, with a comment, to the template".into())
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, ws: &Workspace<'_>) {
    let Some(re) = VARIABLE.as_ref() else { return };
    let mut found = Vec::new();
    for cf in ws.compose {
        let dir = Path::new(&cf.file.path).parent().unwrap_or(Path::new(""));
        let Some(template) = ws.env_files.iter().find(|e| {
            e.template && Path::new(&e.file.path).parent().unwrap_or(Path::new("")) == dir
        }) else {
            continue;
        };
        let defined: HashSet<&str> = template
            .env
            .entries
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        let mut reported: HashSet<String> = HashSet::new();
        let text = cf.file.text.as_str();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if line.trim_start().starts_with('#') {
                continue;
            }
            for c in re.captures_iter(line) {
                let (Some(all), Some(name)) = (c.get(0), c.get(1).or_else(|| c.get(3))) else {
                    continue;
                };
                let op = c.get(2).map_or("", |m| m.as_str());
                if op.contains('-') || op.contains('+') {
                    continue;
                }
                let name = name.as_str();
                if defined.contains(name) || !reported.insert(name.to_owned()) {
                    continue;
                }
                found.push((
                    ComposeVariableUndefined {
                        variable: name.to_owned(),
                        template: template.file.path.clone(),
                    },
                    cf.file.span(TextRange::from_usize(
                        start + all.start(),
                        start + all.end(),
                    )),
                ));
            }
        }
    }
    for (v, span) in found {
        ctx.report(v, span);
    }
}
