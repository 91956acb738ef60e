//! What the kinds' tests share: a one-check plan from YAML, one attempt of it, and the
//! assertions evaluated on what it observed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::time::SystemTime;

use shipcheck_plan::kind::{ChainState, Observed, ProbeContext, ProbeError};
use shipcheck_plan::{Check, load_str};
use shipcheck_report::AssertionResult;

use crate::{KINDS, evaluate};

/// Evidence cap of the test attempts.
const EVIDENCE_CAP: usize = 16 * 1024;

/// The one check of a plan whose `checks:` list is `yaml` (indented as an item's keys),
/// written as if the plan were in `dir`; panics with the plan errors when it does not load.
pub(crate) fn check_in(dir: &Path, yaml: &str) -> Check {
    let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
    match load_str(&src, &dir.join("plan.yaml"), &|_| None, KINDS) {
        Ok(mut plan) => plan.checks.remove(0),
        Err(e) => panic!("plan does not load:\n{e}"),
    }
}

/// [`check_in`] for a plan in the working directory.
pub(crate) fn check(yaml: &str) -> Check {
    check_in(Path::new(""), yaml)
}

/// One attempt of `c`, bounded by its timeout, as if the plan started at `plan_start`.
pub(crate) async fn run_at(c: &Check, plan_start: SystemTime) -> Result<Observed, ProbeError> {
    let lookup = |_: &str| None;
    let chain = ChainState::default();
    let cx = ProbeContext {
        timeout: c.timeout,
        plan_start,
        lookup: &lookup,
        evidence_cap: EVIDENCE_CAP,
        sensitive: &[],
        chain: &chain,
        stop: &shipcheck_plan::kind::Stop::default(),
    };
    c.probe.observe(&cx).await
}

/// One attempt of `c`, the plan having started now.
pub(crate) async fn run(c: &Check) -> Result<Observed, ProbeError> {
    run_at(c, SystemTime::now()).await
}

/// The check's assertions evaluated on what an attempt observed.
pub(crate) fn results(c: &Check, o: &Observed) -> Vec<AssertionResult> {
    evaluate(&c.expect, o.facts.as_ref())
}
