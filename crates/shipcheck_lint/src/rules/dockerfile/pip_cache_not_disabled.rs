use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{Command, commands, find_in, key_values, run_script, stages};

violation! {
    /// ## What it does
    /// Checks `pip install` in the final stage without `--no-cache-dir` (skipped when
    /// `PIP_NO_CACHE_DIR` is set or the step uses a cache mount).
    ///
    /// ## Why is this bad?
    /// pip keeps every downloaded wheel in `~/.cache/pip`, inside the layer: the image
    /// carries a second copy of its dependencies that is never used.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## References
    /// - [hadolint DL3042](https://github.com/hadolint/hadolint/wiki/DL3042)
    pub(crate) struct PipCacheNotDisabled;
}

impl Violation for PipCacheNotDisabled {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Info;

    fn message(&self) -> String {
        "`pip install` keeps its download cache in the layer".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`)".into())
    }
}

/// True for `pip install`, `pip3 install`, `python -m pip install`.
pub(crate) fn is_pip_install(c: &Command) -> bool {
    let p = c.program();
    let args: Vec<&str> = c.words.iter().skip(1).map(String::as_str).collect();
    let rest: &[&str] = if p.starts_with("pip") {
        &args
    } else if p.starts_with("python") {
        match args.iter().position(|a| *a == "-m") {
            Some(i) if args.get(i + 1).is_some_and(|m| m.starts_with("pip")) => &args[i + 2..],
            _ => return false,
        }
    } else {
        return false;
    };
    rest.iter().find(|w| !w.starts_with('-')) == Some(&"install")
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    let all = stages(df);
    let Some(last) = all.last() else { return };
    let env_off = df
        .dockerfile
        .instructions
        .iter()
        .filter(|i| i.is("ENV") || i.is("ARG"))
        .flat_map(key_values)
        .any(|(k, _)| k == "PIP_NO_CACHE_DIR");
    if env_off {
        return;
    }
    for ins in last.body.iter().filter(|i| i.is("RUN")) {
        if ins.flags.iter().any(|f| f.name == "mount") {
            continue;
        }
        for c in commands(&run_script(ins)) {
            if is_pip_install(&c)
                && !c.has("--no-cache-dir")
                && !c
                    .assignments
                    .iter()
                    .any(|a| a.starts_with("PIP_NO_CACHE_DIR="))
            {
                ctx.report(PipCacheNotDisabled, find_in(df.file, ins, "install"));
            }
        }
    }
}
