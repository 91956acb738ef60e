//! The `exec` probe kind: a local command (a smoke script, `helm status`, a migration
//! dry run), its exit code and bounded output as facts, killed at the check's timeout.

mod facts;
pub(crate) mod run;
pub(crate) mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node, Target, predicates};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

use facts::ExecQuery;
pub use facts::ExecFacts;
pub use spec::{Command, ExecProbe};

/// The `exec` kind's registry entry.
pub(crate) static KIND: ExecKind = ExecKind;

/// The `exec` kind.
pub(crate) struct ExecKind;

fn query(q: ExecQuery) -> Query {
    Query::Kind(KindQuery(Arc::new(q)))
}

impl ProbeKind for ExecKind {
    fn name(&self) -> &'static str {
        "exec"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["exit_code", "stdout", "stderr", "json", "duration"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        match key {
            "exit_code" => predicates(cx, v, Target::Number, &query(ExecQuery::ExitCode), out),
            "stdout" => predicates(cx, v, Target::Text("stdout"), &query(ExecQuery::Stdout), out),
            _ => predicates(cx, v, Target::Text("stderr"), &query(ExecQuery::Stderr), out),
        }
    }
    /// `exit_code: 0` unless the plan writes an expectation on the exit code.
    fn implied(&self, _: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let q = query(ExecQuery::ExitCode);
        if !expect.iter().any(|a| a.query == q) {
            expect.insert(
                0,
                Assertion {
                    query: q,
                    predicate: Predicate::Equals(Value::from(0)),
                    pos,
                },
            );
        }
    }
    fn captures(&self) -> bool {
        true
    }
}

probe_impl!(ExecProbe, "exec", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Runs a local command — a smoke script, `helm status`, a migration dry run — without a shell (`command: [PROGRAM, ARG…]`) or with `sh -c` (`shell:` or the short form `exec: \"…\"`), in the plan's directory. Its exit code and output (at most `max_output` per stream, the rest drained and counted) are the facts; it runs in a process group of its own, killed as a whole at the check's timeout (then an `error` of class timeout) or when the run is cancelled, so nothing it started outlives the check.",
    keys: &[
        KeyDoc { name: "command", value: "list of text (templates)", doc: "the program and its arguments, run without a shell (short form: `exec: [PROGRAM, ARG…]`)" },
        KeyDoc { name: "shell", value: "text (template)", doc: "a line run by `sh -c` (short form: `exec: \"LINE\"`); one of `command` and `shell`" },
        KeyDoc { name: "dir", value: "path", doc: "working directory, relative to the plan (default: the plan's directory)" },
        KeyDoc { name: "env", value: "mapping", doc: "extra environment variables (value templates)" },
        KeyDoc { name: "stdin", value: "text (template)", doc: "written to the command's standard input (default: none)" },
        KeyDoc { name: "max_output", value: "size", doc: "keep at most this much of stdout and of stderr (default 1MiB, at most 64MiB)" },
    ],
    expectations: &[
        KeyDoc { name: "exit_code", value: "number or predicate", doc: "the exit status (a command ended by a signal fails it, saying so)" },
        KeyDoc { name: "stdout, stderr", value: "predicate on text", doc: "the output as text (`contains`, `regex`, `equals`…)" },
        KeyDoc { name: "json", value: "mapping of JSONPath → predicate", doc: "JSONPath queries on stdout parsed as JSON" },
        KeyDoc { name: "duration", value: "bound on a duration", doc: "wall time of the command" },
    ],
    implied: "`exit_code: 0`",
    example: "- id: smoke-script\n  exec: { command: [./scripts/smoke.sh, \"{{ api }}\"], env: { RETRIES: \"3\" } }\n  expect: { stdout: { contains: \"all smoke tests passed\" }, duration: { under: 30s } }\n",
};
